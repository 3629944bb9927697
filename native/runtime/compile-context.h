// The compile-time state of a session, and the interface every step compiler uses.
//
// Compiling a plan for a batch walks the steps in order. A step compiler (steps/*.cc) asks for its
// inputs in the memory layout it needs (a reorder is recorded only when the tensor is not already
// available in that layout), declares its outputs with the layout the primitive chose, and records
// run-time actions (oneDNN primitives with prebuilt argument lists, or custom loops). Memory objects
// are created without storage; after the last step, internal buffers whose lifetimes do not overlap
// are packed into one arena and the handles are set. Nothing is allocated or created in run().
#pragma once
#include <dnnl.hpp>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "plan.h"

namespace qwb {

using md_t = dnnl::memory::desc;
using dims_t = dnnl::memory::dims;
using dt_t = dnnl::memory::data_type;

dt_t toDnnl(DType t);
/** The same layout with another element type (same-size types keep the strides; plain or blocked,
 *  no extra flags). */
md_t withDtype(const md_t& md, dt_t dt);
/** Row-major strides for dims (in elements). */
md_t plainDescOf(const dims_t& dims, dt_t dt);
/** Channels-last (nwc / nhwc / ndhwc) for rank 3..5, else row-major. */
md_t channelsLastDesc(const dims_t& dims, dt_t dt);

/** A oneDNN memory object bound to one of the session's buffers. */
struct Mem {
  dnnl::memory m;
  int buffer = -1;
  md_t desc() const { return m.get_desc(); }
  float* data() const { return static_cast<float*>(m.get_data_handle()); }
};

/** One unit of run-time work: a primitive with its prebuilt C argument list, or a loop. */
struct Action {
  dnnl::primitive prim;
  std::vector<dnnl_exec_arg_t> args;
  std::vector<dnnl::memory> keep;  // keeps the memories named in args alive
  std::function<void()> fn;
};

struct Buffer {
  enum Kind { Internal, GraphInput, Constant, Persistent, UserOutput, Scratchpad } kind = Internal;
  size_t bytes = 0;
  int first = 0, last = 0;   // steps that write first / read last (inclusive)
  int plannedEnd = -1;       // last step any tensor bound to it will be read (from the plan)
  std::vector<int> tensors;  // tensors whose data lives here
  std::vector<dnnl::memory> mems;
  void* ptr = nullptr;
  std::shared_ptr<void> owned;  // Persistent storage
};

struct TensorVariant {
  md_t md;
  Mem mem;
};

struct TensorState {
  dims_t dims;
  bool defined = false;
  std::vector<TensorVariant> variants;  // [0] is the layout the producer wrote
};

class CompileContext {
 public:
  CompileContext(std::shared_ptr<const Plan> plan, int64_t batch, dnnl::engine& eng, dnnl::stream& strm);

  /** Compiles every step and packs the buffers. Throws RuntimeError naming the failing step. */
  void compile();

  // ---- for step compilers ----
  const PlanStep& step() const { return *step_; }
  const Plan& plan() const { return *plan_; }
  dnnl::engine& engine() { return eng_; }
  size_t numInputs() const { return step_->inputs.size(); }
  /** Tensor id in input slot i, or -1 when absent or beyond the list. */
  int in(size_t slot) const;
  int out(size_t slot) const;
  /** Logical dims at the compiled batch (rank 0 reads as {1}). */
  dims_t tdims(int tid) const;
  static md_t plainDesc(const dims_t& dims) { return plainDescOf(dims, dt_t::f32); }
  /** Row-major desc of a tensor at the compiled batch, in its own dtype. */
  md_t tplain(int tid) const { return plainDescOf(tdims(tid), dtype(tid)); }
  dt_t dtype(int tid) const { return toDnnl(plan_->tensors.at(tid).dtype); }
  const QuantParams& quant(int tid) const { return plan_->tensors.at(tid).quant; }
  const std::string& tname(int tid) const { return plan_->tensors.at(tid).name; }
  md_t currentDesc(int tid) const;
  bool isConstant(int tid) const;
  const float* constData(int tid) const;

  /** The tensor in layout `want`; records a reorder (at compile time for constants) if needed. */
  Mem input(int tid, const md_t& want);
  Mem inputCurrent(int tid);
  Mem inputPlain(int tid) { return input(tid, tplain(tid)); }
  /** Raw bytes of a constant tensor. */
  const uint8_t* constBytes(int tid) const;
  /** A persistent (compile-time filled) memory holding a copy of `bytes` described by md: converted
   *  biases, runtime zero points. */
  Mem persistentCopy(const md_t& md, const void* bytes);
  /** A constant's bytes described by `userMd`, reordered once now into layout `want`. */
  Mem constantAs(int tid, const md_t& userMd, const md_t& want);
  /** Declares output tensor `tid` in a fresh buffer with layout md. */
  Mem output(int tid, const md_t& md);
  /** Declares output tensor `tid` as living in src's buffer (in-place or zero-copy view). */
  Mem outputAlias(int tid, const Mem& src, const md_t& md);
  /** Whether the step may write over the data of input slot `slot` held in `m` (no later reader,
   *  not a graph input or constant, not another input of this step). */
  bool canOverwrite(size_t slot, const Mem& m) const;
  /** Another description of the same bytes. */
  Mem view(const Mem& m, const md_t& md);
  /** A temporary buffer live during this step only. */
  Mem scratch(size_t bytes);

  /** Primitive attributes with a user-managed scratchpad (so run() never allocates). */
  dnnl::primitive_attr attr() const;
  void addPrimitive(const dnnl::primitive& p, const dnnl::primitive_desc_base& pd,
                    const std::unordered_map<int, dnnl::memory>& args);
  void addReorder(const Mem& src, const Mem& dst);
  /** Records a loop of our own; `impl` names it in profiles (like oneDNN's impl_info_str). */
  void addLoop(std::function<void()> fn, const std::string& impl = "");
  /** Records a run-time value read (extends a buffer's lifetime to this step). */
  void touch(const Mem& m);

  // ---- results, used by PlanExecutor ----
  std::vector<std::vector<Action>> stepActions;
  std::vector<std::string> stepImpl;
  std::vector<Action> outputActions;
  std::vector<int> inputBuffers;   // per graph input
  std::vector<int> outputBuffers;  // per graph output (user memory)
  std::vector<Buffer> buffers;
  size_t arenaBytes = 0;

 private:
  int newBuffer(Buffer::Kind kind, size_t bytes);
  Mem newMem(int buffer, const md_t& md);
  void bind(int tid, int buffer);
  void compileOutputs();
  void packBuffers();
  void addAction(Action a, const std::string& impl);

  std::shared_ptr<const Plan> plan_;
  int64_t batch_;
  dnnl::engine& eng_;
  dnnl::stream& strm_;
  const PlanStep* step_ = nullptr;
  int stepIndex_ = 0;
  std::vector<TensorState> tensors_;
  std::vector<int> lastUse_;
  std::vector<int> constBuffer_;
  size_t scratchpadBytes_ = 0;
  int scratchpadBuffer_ = -1;
  std::shared_ptr<void> arena_;
  std::shared_ptr<void> scratchpad_;
};

using StepCompiler = void (*)(CompileContext&);
/** The step table (registry.cc): kind -> compiler, or null for an unknown kind. */
StepCompiler findStepCompiler(const std::string& kind);

}  // namespace qwb
