// qwb_native: a thin node-addon-api binding over native/runtime. Everything that touches tensors
// (plan parsing, compile, run) runs in an AsyncWorker, which hands it to one executor thread
// (executor.h); arguments were validated in TypeScript
// (engine/runtime/native.ts) and are checked again here so that bad input rejects, never crashes.
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "../runtime/cpu-features.h"
#include "../runtime/error.h"
#include "executor.h"
#include "../runtime/session.h"

namespace {

struct AddonData {
  Napi::FunctionReference sessionCtor;
};

// A worker that settles a promise: Run() does the native work, Resolve() builds the JS value.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  explicit PromiseWorker(Napi::Env env) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  virtual void Run() = 0;
  virtual Napi::Value Resolve(Napi::Env env) { return env.Undefined(); }
  void Execute() override {
    try {
      qwb_addon::Executor::instance().run([this] { Run(); });
    } catch (const std::exception& e) {
      SetError(e.what());
    } catch (...) {
      SetError("native runtime: unknown error");
    }
  }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    deferred_.Resolve(Resolve(Env()));
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

  Napi::Promise::Deferred deferred_;
};

// The JS typed array of each plan dtype at the graph edges.
napi_typedarray_type typedArrayFor(qwb::DType t) {
  switch (t) {
    case qwb::DType::f32: return napi_float32_array;
    case qwb::DType::s32: return napi_int32_array;
    case qwb::DType::u8: return napi_uint8_array;
    case qwb::DType::s8: return napi_int8_array;
  }
  return napi_float32_array;
}
const char* typedArrayName(napi_typedarray_type t) {
  switch (t) {
    case napi_float32_array: return "Float32Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_int8_array: return "Int8Array";
    default: return "typed array";
  }
}
const char* dtypeName(qwb::DType t) {
  switch (t) {
    case qwb::DType::f32: return "f32";
    case qwb::DType::s32: return "s32";
    case qwb::DType::u8: return "u8";
    case qwb::DType::s8: return "s8";
  }
  return "?";
}

class SessionWrap : public Napi::ObjectWrap<SessionWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeSession",
                       {InstanceMethod("run", &SessionWrap::Run), InstanceMethod("prepare", &SessionWrap::Prepare),
                        InstanceMethod("steps", &SessionWrap::Steps), InstanceMethod("dispose", &SessionWrap::Dispose)});
  }

  explicit SessionWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SessionWrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) {
      throw Napi::TypeError::New(info.Env(), "NativeSession cannot be constructed directly; use createSession()");
    }
    auto* holder = info[0].As<Napi::External<std::shared_ptr<qwb::PlanExecutor>>>().Data();
    session_ = *holder;
  }

  std::shared_ptr<qwb::PlanExecutor> session_;
  bool busy_ = false;

 private:
  // Throws (as a JS error) when disposed or busy; marks the session busy for the job.
  std::shared_ptr<qwb::PlanExecutor> acquire(Napi::Env env, const char* what) {
    if (!session_) throw Napi::Error::New(env, std::string("session.") + what + ": the session was disposed");
    if (busy_) {
      throw Napi::Error::New(env, std::string("session.") + what +
                                      ": another run/prepare is still in progress on this session (await it first)");
    }
    return session_;
  }

  static int64_t readBatch(Napi::Env env, const Napi::Value& v, const char* what) {
    if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string("session.") + what + ": batch must be a number");
    double b = v.As<Napi::Number>().DoubleValue();
    if (!(b >= 1) || b != static_cast<double>(static_cast<int64_t>(b)) || b > 1e9) {
      throw Napi::RangeError::New(env, std::string("session.") + what + ": batch must be a positive integer");
    }
    return static_cast<int64_t>(b);
  }

  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value Prepare(const Napi::CallbackInfo& info);
  Napi::Value Steps(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    session_.reset();  // a running job keeps its own reference and frees it when done
    return info.Env().Undefined();
  }
};

// A job on one session: keeps the JS session object alive and clears its busy flag when settled.
class SessionJobWorker : public PromiseWorker {
 public:
  SessionJobWorker(Napi::Env env, SessionWrap* owner, std::shared_ptr<qwb::PlanExecutor> s)
      : PromiseWorker(env), owner_(owner), ownerRef_(Napi::Persistent(owner->Value())), session_(std::move(s)) {}

 protected:
  void OnOK() override {
    owner_->busy_ = false;
    PromiseWorker::OnOK();
  }
  void OnError(const Napi::Error& e) override {
    owner_->busy_ = false;
    PromiseWorker::OnError(e);
  }

  SessionWrap* owner_;
  Napi::ObjectReference ownerRef_;
  std::shared_ptr<qwb::PlanExecutor> session_;
};

class RunWorker : public SessionJobWorker {
 public:
  RunWorker(Napi::Env env, SessionWrap* owner, std::shared_ptr<qwb::PlanExecutor> s, int64_t batch, bool profile)
      : SessionJobWorker(env, owner, std::move(s)), batch_(batch), profile_(profile) {}
  std::vector<Napi::ObjectReference> keep;  // inputs and outputs stay alive while the worker runs
  std::vector<const void*> inputs;
  std::vector<void*> outputs;
  Napi::ObjectReference outArray;

 protected:
  void Run() override {
    if (profile_) stepMs_.assign(session_->plan().steps.size(), 0.0);
    session_->run(batch_, inputs, outputs, profile_ ? stepMs_.data() : nullptr);
  }
  Napi::Value Resolve(Napi::Env env) override {
    Napi::Object res = Napi::Object::New(env);
    res.Set("outputs", outArray.Value());
    if (profile_) {
      Napi::Float64Array ms = Napi::Float64Array::New(env, stepMs_.size());
      for (size_t i = 0; i < stepMs_.size(); i++) ms[i] = stepMs_[i];
      res.Set("stepMs", ms);
    }
    return res;
  }

 private:
  int64_t batch_;
  bool profile_;
  std::vector<double> stepMs_;
};

Napi::Value SessionWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto s = acquire(env, "run");
  if (info.Length() < 2 || !info[0].IsArray()) {
    throw Napi::TypeError::New(env, "session.run: expected (inputs: TypedArray[], batch, profile?)");
  }
  const int64_t batch = readBatch(env, info[1], "run");
  const bool profile = info.Length() > 2 && info[2].ToBoolean().Value();
  Napi::Array arr = info[0].As<Napi::Array>();
  const qwb::Plan& plan = s->plan();
  if (arr.Length() != plan.inputs.size()) {
    throw Napi::RangeError::New(env, "session.run: expected " + std::to_string(plan.inputs.size()) + " inputs, got " +
                                         std::to_string(arr.Length()));
  }
  auto* w = new RunWorker(env, this, s, batch, profile);
  try {
    for (uint32_t i = 0; i < arr.Length(); i++) {
      Napi::Value v = arr.Get(i);
      const qwb::PlanTensor& t = plan.tensors[plan.inputs[i]];
      const napi_typedarray_type want = typedArrayFor(t.dtype);
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != want) {
        throw Napi::TypeError::New(env, "session.run: input " + std::to_string(i) + " ('" + t.name + "') must be a " +
                                            typedArrayName(want) + " (plan dtype " + dtypeName(t.dtype) + ")");
      }
      Napi::TypedArray a = v.As<Napi::TypedArray>();
      const int64_t n = s->inputElements(i, batch);
      if (static_cast<int64_t>(a.ElementLength()) != n) {
        throw Napi::RangeError::New(env, "session.run: input " + std::to_string(i) + " ('" + t.name + "') has " +
                                             std::to_string(a.ElementLength()) + " elements, expected " +
                                             std::to_string(n) + " at batch " + std::to_string(batch));
      }
      w->inputs.push_back(static_cast<const uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset());
      w->keep.push_back(Napi::Persistent(a.As<Napi::Object>()));
    }
    Napi::Array outs = Napi::Array::New(env, plan.outputs.size());
    for (size_t i = 0; i < plan.outputs.size(); i++) {
      const qwb::PlanTensor& t = plan.tensors[plan.outputs[i]];
      const size_t n = static_cast<size_t>(s->outputElements(i, batch));
      const size_t bytes = n * (t.dtype == qwb::DType::f32 || t.dtype == qwb::DType::s32 ? 4 : 1);
      Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, bytes);
      napi_value arrv;
      NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, typedArrayFor(t.dtype), n, buf, 0, &arrv), Napi::Value());
      w->outputs.push_back(buf.Data());
      outs.Set(static_cast<uint32_t>(i), Napi::Value(env, arrv));
    }
    w->outArray = Napi::Persistent(outs.As<Napi::Object>());
  } catch (...) {
    delete w;
    throw;
  }
  busy_ = true;
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

class PrepareWorker : public SessionJobWorker {
 public:
  PrepareWorker(Napi::Env env, SessionWrap* owner, std::shared_ptr<qwb::PlanExecutor> s, int64_t batch)
      : SessionJobWorker(env, owner, std::move(s)), batch_(batch) {}

 protected:
  void Run() override { session_->prepare(batch_); }

 private:
  int64_t batch_;
};

Napi::Value SessionWrap::Prepare(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto s = acquire(env, "prepare");
  const int64_t batch = readBatch(env, info.Length() > 0 ? info[0] : env.Undefined(), "prepare");
  auto* w = new PrepareWorker(env, this, s, batch);
  busy_ = true;
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

Napi::Value SessionWrap::Steps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!session_) throw Napi::Error::New(env, "session.steps: the session was disposed");
  if (busy_) throw Napi::Error::New(env, "session.steps: a run/prepare is in progress on this session");
  std::vector<qwb::StepInfo> steps = session_->steps();
  Napi::Array arr = Napi::Array::New(env, steps.size());
  for (size_t i = 0; i < steps.size(); i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("kind", steps[i].kind);
    o.Set("name", steps[i].name);
    o.Set("impl", steps[i].impl);
    arr.Set(static_cast<uint32_t>(i), o);
  }
  return arr;
}

// Parses the plan straight from the caller's Uint8Array (kept alive by a reference until the job
// settles; parsePlan makes the one aligned copy the session keeps), so a large model's plan is not
// held three times at once while it compiles.
class CreateWorker : public PromiseWorker {
 public:
  CreateWorker(Napi::Env env, Napi::Uint8Array bytes, qwb::SessionOptions opt)
      : PromiseWorker(env), ref_(Napi::Persistent(bytes)), data_(bytes.Data()), size_(bytes.ByteLength()), opt_(opt) {}

 protected:
  void Run() override {
    std::shared_ptr<qwb::Plan> plan = qwb::parsePlan(data_, size_);
    session_ = std::make_shared<qwb::PlanExecutor>(plan, opt_);
  }
  Napi::Value Resolve(Napi::Env env) override {
    AddonData* data = env.GetInstanceData<AddonData>();
    auto holder = Napi::External<std::shared_ptr<qwb::PlanExecutor>>::New(env, &session_);
    return data->sessionCtor.New({holder});
  }

 private:
  Napi::Reference<Napi::Uint8Array> ref_;
  const uint8_t* data_;
  size_t size_;
  qwb::SessionOptions opt_;
  std::shared_ptr<qwb::PlanExecutor> session_;
};

Napi::Value CreateSession(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, "createSession: the plan must be a Uint8Array");
  }
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  qwb::SessionOptions opt;
  if (info.Length() > 1 && info[1].IsObject()) {
    Napi::Value t = info[1].As<Napi::Object>().Get("threads");
    if (!t.IsUndefined()) {
      if (!t.IsNumber()) throw Napi::TypeError::New(env, "createSession: threads must be a number");
      double v = t.As<Napi::Number>().DoubleValue();
      if (!(v >= 0) || v > 4096 || v != static_cast<double>(static_cast<int>(v))) {
        throw Napi::RangeError::New(env, "createSession: threads must be an integer >= 0");
      }
      opt.threads = static_cast<int>(v);
    }
  }
  auto* w = new CreateWorker(env, bytes, opt);
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("onednn", qwb::onednnVersion());
  o.Set("isa", qwb::onednnIsa());
  o.Set("cores", qwb::logicalCores());
  const qwb::CpuFeatures& f = qwb::cpuFeatures();
  Napi::Object cpu = Napi::Object::New(env);
  cpu.Set("vendor", f.vendor);
  cpu.Set("brand", f.brand);
  Napi::Array list = Napi::Array::New(env);
  std::string names = qwb::cpuFeatureList(f);
  uint32_t n = 0;
  for (size_t i = 0; i < names.size();) {
    size_t j = names.find(' ', i);
    if (j == std::string::npos) j = names.size();
    list.Set(n++, names.substr(i, j - i));
    i = j + 1;
  }
  cpu.Set("features", list);
  o.Set("cpu", cpu);
  o.Set("int8Accumulation", qwb::int8Accumulation());
  o.Set("ownAvx2Kernels", qwb::ownAvx2KernelsAllowed());
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  data->sessionCtor = Napi::Persistent(SessionWrap::Define(env));
  env.SetInstanceData(data);
  exports.Set("createSession", Napi::Function::New(env, CreateSession));
  exports.Set("info", Napi::Function::New(env, Info));
  return exports;
}

}  // namespace

NODE_API_MODULE(qwb_native, Init)
