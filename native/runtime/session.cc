// PlanExecutor: compile-per-batch cache and the run loop (named apart from the TypeScript ModelSession
// and AddonSession that drive it).
#include "session.h"

#include <omp.h>

#include <chrono>

#include "compile-context.h"
#include "error.h"
#include "onednn-error.h"

namespace qwb {

PlanExecutor::PlanExecutor(std::shared_ptr<const Plan> plan, SessionOptions options)
    : plan_(std::move(plan)), options_(options), eng_(dnnl::engine::kind::cpu, 0), strm_(eng_) {
  if (options_.threads < 0) throw RuntimeError("session: threads must be >= 0, got " + std::to_string(options_.threads));
}

PlanExecutor::~PlanExecutor() = default;

// OpenMP thread counts are per calling thread; the addon runs jobs on libuv pool threads, so every
// entry point sets it on the thread that is about to execute.
void PlanExecutor::applyThreads() const {
  omp_set_num_threads(options_.threads > 0 ? options_.threads : omp_get_num_procs());
}

void PlanExecutor::prepare(int64_t batch) {
  if (batch < 1) throw RuntimeError("session: batch must be >= 1, got " + std::to_string(batch));
  if (compiled_ && batch == batch_) return;
  applyThreads();
  compiled_.reset();  // free the old arena before building the new one
  batch_ = 0;
  auto ctx = std::make_unique<CompileContext>(plan_, batch, eng_, strm_);
  ctx->compile();
  compiled_ = std::move(ctx);
  batch_ = batch;
}

namespace {
void execute(const Action& a, dnnl::stream& strm, const char* where, const PlanStep* step) {
  if (a.fn) {
    a.fn();
    return;
  }
  dnnl_status_t st = dnnl_primitive_execute(a.prim.get(), strm.get(), static_cast<int>(a.args.size()),
                                            a.args.data());
  if (st != dnnl_success) {
    throw RuntimeError(std::string(where) + (step ? "step " + step->label() : std::string("graph outputs")) +
                       ": oneDNN execute failed: " + statusName(st));
  }
}
}  // namespace

void PlanExecutor::run(int64_t batch, const std::vector<const void*>& inputs, const std::vector<void*>& outputs,
                  double* stepMs) {
  if (inputs.size() != plan_->inputs.size()) {
    throw RuntimeError("run: expected " + std::to_string(plan_->inputs.size()) + " inputs, got " +
                       std::to_string(inputs.size()));
  }
  if (outputs.size() != plan_->outputs.size()) throw RuntimeError("run: wrong output count");
  prepare(batch);
  applyThreads();
  CompileContext& c = *compiled_;
  for (size_t i = 0; i < inputs.size(); i++) {
    Buffer& b = c.buffers[c.inputBuffers[i]];
    for (auto& m : b.mems) m.set_data_handle(const_cast<void*>(inputs[i]));
  }
  for (size_t i = 0; i < outputs.size(); i++) {
    Buffer& b = c.buffers[c.outputBuffers[i]];
    for (auto& m : b.mems) m.set_data_handle(outputs[i]);
  }
  const size_t n = c.stepActions.size();
  if (stepMs == nullptr) {
    for (size_t s = 0; s < n; s++) {
      for (const Action& a : c.stepActions[s]) execute(a, strm_, "run: ", &plan_->steps[s]);
    }
  } else {
    for (size_t s = 0; s < n; s++) {
      auto t0 = std::chrono::steady_clock::now();
      for (const Action& a : c.stepActions[s]) execute(a, strm_, "run: ", &plan_->steps[s]);
      strm_.wait();
      auto t1 = std::chrono::steady_clock::now();
      stepMs[s] = std::chrono::duration<double, std::milli>(t1 - t0).count();
    }
  }
  for (const Action& a : c.outputActions) execute(a, strm_, "run: ", nullptr);
  strm_.wait();
}

std::vector<StepInfo> PlanExecutor::steps() const {
  std::vector<StepInfo> out;
  for (size_t s = 0; s < plan_->steps.size(); s++) {
    const PlanStep& st = plan_->steps[s];
    out.push_back({st.kind, st.name, compiled_ ? compiled_->stepImpl[s] : std::string()});
  }
  return out;
}

int64_t PlanExecutor::inputElements(size_t i, int64_t batch) const {
  return elementCount(dimsAtBatch(plan_->tensors.at(plan_->inputs.at(i)), batch));
}
int64_t PlanExecutor::outputElements(size_t i, int64_t batch) const {
  return elementCount(dimsAtBatch(plan_->tensors.at(plan_->outputs.at(i)), batch));
}
size_t PlanExecutor::arenaBytes() const { return compiled_ ? compiled_->arenaBytes : 0; }

std::string onednnVersion() {
  const dnnl_version_t* v = dnnl_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

int logicalCores() { return omp_get_num_procs(); }

}  // namespace qwb
