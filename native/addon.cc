// The addon's entry point: each kernel family registers its own functions, named exactly as in
// src/backend/kernels.ts, so the TypeScript side can swap native and reference kernels one by one.
#include <napi.h>

#include <string>

#include "dispatch.h"
#include "isa.h"
#include "threadpool.h"

namespace rl {
void RegisterGemm(Napi::Env env, Napi::Object exports);
void RegisterPointwise(Napi::Env env, Napi::Object exports);
void RegisterLoss(Napi::Env env, Napi::Object exports);
void RegisterConv(Napi::Env env, Napi::Object exports);
void RegisterPool(Napi::Env env, Napi::Object exports);
void RegisterEmbedding(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);
void RegisterLstm(Napi::Env env, Napi::Object exports);
void RegisterGru(Napi::Env env, Napi::Object exports);
void RegisterSimpleRnn(Napi::Env env, Napi::Object exports);
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
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  rl::RegisterGemm(env, exports);
  rl::RegisterPointwise(env, exports);
  rl::RegisterLoss(env, exports);
  rl::RegisterConv(env, exports);
  rl::RegisterPool(env, exports);
  rl::RegisterEmbedding(env, exports);
  rl::RegisterOptim(env, exports);
  rl::RegisterLstm(env, exports);
  rl::RegisterGru(env, exports);
  rl::RegisterSimpleRnn(env, exports);
  return exports;
}

NODE_API_MODULE(rnnlab, Init)
