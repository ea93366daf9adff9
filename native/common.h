// Argument checking shared by every binding: a kernel never reads or writes past a typed array,
// and a bad call becomes a JS TypeError/RangeError that names the kernel and the argument.
#pragma once
#include <napi.h>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "act.h"

namespace rl {

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* kernel) : info_(info), kernel_(kernel) {}
  bool ok() const { return ok_; }
  Napi::Env env() const { return info_.Env(); }

  double num(size_t i, const char* name) {
    if (!ok_) return 0;
    if (i >= info_.Length() || !info_[i].IsNumber()) return fail(name, "must be a number"), 0;
    double v = info_[i].As<Napi::Number>().DoubleValue();
    return v;
  }
  int64_t integer(size_t i, const char* name, int64_t lo = 0) {
    double v = num(i, name);
    if (!ok_) return 0;
    if (v != (double)(int64_t)v || v < (double)lo) return fail(name, "must be an integer >= " + std::to_string(lo)), 0;
    return (int64_t)v;
  }
  bool flag(size_t i, const char* name) {
    if (!ok_) return false;
    if (i >= info_.Length()) return fail(name, "is missing"), false;
    return info_[i].ToBoolean().Value();
  }
  // Float32Array of at least minLen elements; nullptr when allowNull and the argument is null/undefined.
  float* f32(size_t i, const char* name, size_t minLen, bool allowNull = false) {
    return typed<float>(i, name, minLen, allowNull, napi_float32_array, "Float32Array");
  }
  int32_t* i32(size_t i, const char* name, size_t minLen, bool allowNull = false) {
    return typed<int32_t>(i, name, minLen, allowNull, napi_int32_array, "Int32Array");
  }
  uint8_t* u8(size_t i, const char* name, size_t minLen, bool allowNull = false) {
    return typed<uint8_t>(i, name, minLen, allowNull, napi_uint8_array, "Uint8Array");
  }
  void fail(const char* name, const std::string& what) {
    if (!ok_) return;
    ok_ = false;
    Napi::RangeError::New(env(), std::string(kernel_) + ": argument '" + name + "' " + what).ThrowAsJavaScriptException();
  }

 private:
  template <typename T>
  T* typed(size_t i, const char* name, size_t minLen, bool allowNull, napi_typedarray_type type, const char* tname) {
    if (!ok_) return nullptr;
    if (i >= info_.Length() || info_[i].IsNull() || info_[i].IsUndefined()) {
      if (allowNull) return nullptr;
      return fail(name, std::string("must be a ") + tname), nullptr;
    }
    if (!info_[i].IsTypedArray()) return fail(name, std::string("must be a ") + tname), nullptr;
    auto ta = info_[i].As<Napi::TypedArray>();
    if (ta.TypedArrayType() != type) return fail(name, std::string("must be a ") + tname), nullptr;
    if (ta.ElementLength() < minLen)
      return fail(name, "has " + std::to_string(ta.ElementLength()) + " elements, needs " + std::to_string(minLen)), nullptr;
    auto arr = ta.As<Napi::TypedArrayOf<T>>();
    return arr.Data();
  }
  const Napi::CallbackInfo& info_;
  const char* kernel_;
  bool ok_ = true;
};

// A JS-visible function of the addon. Each kernel file adds its own from a static initialiser
// (`const bool exported = add_bindings({...});`); the addon's entry point exports them all.
struct Binding {
  const char* name;
  Napi::Value (*fn)(const Napi::CallbackInfo&);
};
bool add_bindings(std::initializer_list<Binding> bindings);

}  // namespace rl
