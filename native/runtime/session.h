// A compiled plan: compile once per batch size, then run with no allocation, primitive creation or
// weight reorder on the hot path. Not thread-safe: one caller at a time (the addon serialises jobs).
#pragma once
#include <dnnl.hpp>

#include <memory>
#include <string>
#include <vector>

#include "plan.h"

namespace qwb {

class CompileContext;

struct SessionOptions {
  int threads = 0;  // OpenMP threads; 0 = all cores
};

struct StepInfo {
  std::string kind;
  std::string name;
  std::string impl;  // oneDNN impl_info_str of the step's primitives, '' for custom loops
};

class PlanExecutor {
 public:
  PlanExecutor(std::shared_ptr<const Plan> plan, SessionOptions options);
  ~PlanExecutor();

  const Plan& plan() const { return *plan_; }
  /** Compiles for `batch` unless that is the batch compiled last. */
  void prepare(int64_t batch);
  /** Runs one batch. inputs/outputs: one row-major buffer per plan input/output in that tensor's
   *  plan dtype (f32 for float edges; s32, u8, s8 for integer and bool ones), sized for the batch.
   *  stepMs, when not null, receives one wall time per plan step. */
  void run(int64_t batch, const std::vector<const void*>& inputs, const std::vector<void*>& outputs,
           double* stepMs);
  std::vector<StepInfo> steps() const;
  int64_t inputElements(size_t i, int64_t batch) const;
  int64_t outputElements(size_t i, int64_t batch) const;
  /** Bytes of the activation arena at the last compile (for diagnostics and tests). */
  size_t arenaBytes() const;

 private:
  void applyThreads() const;

  std::shared_ptr<const Plan> plan_;
  SessionOptions options_;
  dnnl::engine eng_;
  dnnl::stream strm_;
  int64_t batch_ = 0;
  std::unique_ptr<CompileContext> compiled_;
};

/** Library facts for info(): oneDNN version and logical cores (the ISA and CPU features are in
 *  cpu-features.h). */
std::string onednnVersion();
int logicalCores();

}  // namespace qwb
