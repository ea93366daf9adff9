// The addon's entry point: each kernel family registers its own functions, named exactly as in
// src/backend/kernels.ts, so the TypeScript side can swap native and reference kernels one by one.
#include <napi.h>

#include "gemm.h"
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

static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("threads", rl::num_threads());
  o.Set("isa", rl::gemm_isa());
  return o;
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
  exports.Set("info", Napi::Function::New(env, Info));
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
