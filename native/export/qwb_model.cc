// The C ABI of an exported model (native/include/qwb_model.h) over native/runtime. The plan bytes
// and the max batch are embedded by the export's generated embed.S (engine/export/codegen.ts).
// Only the qwb_* functions are exported: the .so is built with -fvisibility=hidden so that its copy
// of the runtime cannot clash with another one in the same process (the Node addon, another model).
#include "../include/qwb_model.h"

#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "../runtime/cpu-features.h"
#include "../runtime/plan.h"
#include "../runtime/session.h"

extern "C" {
// Defined in embed.S (hidden): the plan bytes (64-byte aligned) and export facts.
__attribute__((visibility("hidden"))) extern const uint8_t qwb_embedded_plan[];
__attribute__((visibility("hidden"))) extern const uint64_t qwb_embedded_plan_size;
__attribute__((visibility("hidden"))) extern const int64_t qwb_embedded_max_batch;
}

#define QWB_API extern "C" __attribute__((visibility("default")))

struct qwb_model {
  std::shared_ptr<const qwb::Plan> plan;
  std::unique_ptr<qwb::PlanExecutor> session;
  std::string error;
};

namespace {

thread_local std::string createError;

// One immutable parsed plan shared by every handle (parsing copies the weights; handles only
// compile their own primitives). Freed when the last handle goes.
std::shared_ptr<const qwb::Plan> sharedPlan() {
  static std::mutex mu;
  static std::weak_ptr<const qwb::Plan> cached;
  std::lock_guard<std::mutex> lock(mu);
  std::shared_ptr<const qwb::Plan> plan = cached.lock();
  if (!plan) {
    plan = qwb::parsePlan(qwb_embedded_plan, static_cast<size_t>(qwb_embedded_plan_size));
    cached = plan;
  }
  return plan;
}

const qwb::PlanTensor& onlyTensor(const qwb::Plan& p, const std::vector<int32_t>& ids, const char* what) {
  if (ids.size() != 1) {
    throw std::runtime_error(std::string("qwb: the embedded plan has ") + std::to_string(ids.size()) + " " + what +
                             "s; this ABI supports exactly one");
  }
  const qwb::PlanTensor& t = p.tensors.at(static_cast<size_t>(ids[0]));
  if (t.dtype != qwb::DType::f32) {
    throw std::runtime_error(std::string("qwb: the embedded plan's ") + what + " '" + t.name +
                             "' is not float32; this ABI takes one float32 input and output");
  }
  return t;
}

int fail(const qwb_model* m, const std::string& message) {
  if (m) const_cast<qwb_model*>(m)->error = message;
  return 1;
}

// Runs fn, turning every exception into a return code and the handle's message.
template <class F>
int guarded(const qwb_model* m, const char* fn, F&& body) {
  try {
    if (m) const_cast<qwb_model*>(m)->error.clear();
    body();
    return 0;
  } catch (const std::bad_alloc&) {
    return fail(m, std::string(fn) + ": out of memory");
  } catch (const std::exception& e) {
    return fail(m, std::string(fn) + ": " + e.what());
  } catch (...) {
    return fail(m, std::string(fn) + ": unknown error");
  }
}

int dimsOf(const qwb_model* m, const char* fn, bool input, int64_t dims[8], int* rank) {
  if (!m) return 2;
  if (!dims || !rank) return fail(m, std::string(fn) + ": dims and rank must not be NULL");
  return guarded(m, fn, [&] {
    const qwb::PlanTensor& t = onlyTensor(*m->plan, input ? m->plan->inputs : m->plan->outputs, input ? "input" : "output");
    if (t.dims.size() > 8) throw std::runtime_error("tensor '" + t.name + "' has rank " + std::to_string(t.dims.size()) + " > 8");
    for (size_t i = 0; i < t.dims.size(); i++) dims[i] = t.dims[i];
    if (t.batched && !t.dims.empty()) dims[0] = -1;
    *rank = static_cast<int>(t.dims.size());
  });
}

}  // namespace

QWB_API int qwb_create(qwb_model** model, int num_threads) {
  createError.clear();
  if (!model) {
    createError = "qwb_create: model must not be NULL";
    return 2;
  }
  *model = nullptr;
  if (num_threads < 0) {
    createError = "qwb_create: num_threads must be >= 0 (0 = all cores), got " + std::to_string(num_threads);
    return 1;
  }
  try {
    auto m = std::make_unique<qwb_model>();
    m->plan = sharedPlan();
    onlyTensor(*m->plan, m->plan->inputs, "input");
    onlyTensor(*m->plan, m->plan->outputs, "output");
    qwb::SessionOptions opts;
    opts.threads = num_threads;
    m->session = std::make_unique<qwb::PlanExecutor>(m->plan, opts);
    *model = m.release();
    return 0;
  } catch (const std::exception& e) {
    createError = std::string("qwb_create: ") + e.what();
  } catch (...) {
    createError = "qwb_create: unknown error";
  }
  return 1;
}

QWB_API int qwb_input_dims(const qwb_model* model, int64_t dims[8], int* rank) {
  return dimsOf(model, "qwb_input_dims", true, dims, rank);
}

QWB_API int qwb_output_dims(const qwb_model* model, int64_t dims[8], int* rank) {
  return dimsOf(model, "qwb_output_dims", false, dims, rank);
}

QWB_API int qwb_run(qwb_model* model, const float* input, int64_t batch, float* output) {
  if (!model) return 2;
  if (!input || !output) return fail(model, "qwb_run: input and output must not be NULL");
  const qwb::PlanTensor& in = model->plan->tensors.at(static_cast<size_t>(model->plan->inputs[0]));
  const int64_t maxBatch = in.batched ? qwb_embedded_max_batch : 1;
  if (batch < 1 || batch > maxBatch) {
    return fail(model, "qwb_run: batch " + std::to_string(batch) + " is out of range (1.." + std::to_string(maxBatch) +
                           (in.batched ? ", the export's max batch" : ", the model has a fixed batch") + ")");
  }
  // A model with a fixed batch runs its declared dims: the runtime's batch multiplier stays 1.
  return guarded(model, "qwb_run", [&] { model->session->run(batch, {input}, {output}, nullptr); });
}

QWB_API const char* qwb_error(const qwb_model* model) {
  return model ? model->error.c_str() : createError.c_str();
}

QWB_API void qwb_destroy(qwb_model* model) {
  try {
    delete model;
  } catch (...) {
    // Destructors of oneDNN objects do not throw; never let anything escape into C.
  }
}

QWB_API const char* qwb_runtime_info(void) {
  // The same cpu-features module the Node addon reports from, so `qwb info` and a deployed .so
  // describe a machine in the same words. Feature names never need JSON escaping.
  static const std::string info = [] {
    std::string features = qwb::cpuFeatureList(qwb::cpuFeatures()), list;
    for (size_t i = 0; i < features.size();) {
      size_t j = features.find(' ', i);
      if (j == std::string::npos) j = features.size();
      list += (list.empty() ? "\"" : ",\"") + features.substr(i, j - i) + "\"";
      i = j + 1;
    }
    return "{\"onednn\":\"" + qwb::onednnVersion() + "\",\"isa\":\"" + qwb::onednnIsa() + "\",\"features\":[" + list +
           "],\"int8_accumulation\":\"" + qwb::int8Accumulation() + "\"}";
  }();
  return info.c_str();
}
