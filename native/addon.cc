// The addon's entry point: applies RNNLAB_ISA, then exports info/setThreads/setIsa and every kernel binding the
// kernel files added (add_bindings), named exactly as in src/backend/kernels.ts, so the TypeScript side can swap
// native and reference kernels one by one.
#include <napi.h>

#include <string>
#include <vector>

#include "common.h"
#include "dispatch.h"
#include "isa.h"
#include "threadpool.h"

namespace rl {

namespace {
std::vector<Binding>& bindings() {
  static std::vector<Binding> all;
  return all;
}
}  // namespace

bool add_bindings(std::initializer_list<Binding> list) {
  bindings().insert(bindings().end(), list);
  return true;
}

}  // namespace rl

// info(): threads, the instruction set in force, the ones this CPU and build can run (best first) and the
// CPU features the probe found.
static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("threads", rl::num_threads());
  o.Set("isa", rl::isa_name(rl::active_isa()));
  Napi::Array isas = Napi::Array::New(env);
  for (int i = rl::kIsaCount - 1; i >= 0; --i)
    if (rl::cpu_runs((rl::Isa)i) && rl::kernel_table_complete((rl::Isa)i))
      isas.Set(isas.Length(), rl::isa_name((rl::Isa)i));
  o.Set("isas", isas);
  o.Set("features", rl::cpu_feature_list());
  return o;
}

// setIsa(name): every kernel runs `name` ("avx512", "avx2", "portable"; "auto" for the best) from now on, as
// RNNLAB_ISA does at startup. Returns the name in force; throws for an unknown name or one this CPU cannot run.
static Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "setIsa: expected 'avx512', 'avx2', 'portable' or 'auto'").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  rl::Isa isa = rl::best_isa();
  if (name != "auto" && !rl::parse_isa(name, &isa)) {
    Napi::RangeError::New(env, "setIsa: unknown instruction set '" + name + "' (use avx512, avx2, portable or auto)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!rl::set_isa(isa)) {
    Napi::Error::New(env, "setIsa: this CPU (features: " + rl::cpu_feature_list() + ") or this build cannot run '" +
                              name + "'")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::String::New(env, rl::isa_name(rl::active_isa()));
}

static Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(info.Env(), "setThreads: expected a positive integer").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  rl::set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const std::string isa_error = rl::init_isa_from_env();
  if (!isa_error.empty()) {
    Napi::Error::New(env, isa_error).ThrowAsJavaScriptException();
    return exports;
  }
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
  for (const rl::Binding& b : rl::bindings()) exports.Set(b.name, Napi::Function::New(env, b.fn, b.name));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  return exports;
}

NODE_API_MODULE(rnnlab, Init)
