// CompileContext: tensor layout tracking, reorder insertion, buffer lifetimes and arena packing.
#include "compile-context.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "error.h"
#include "onednn-error.h"

namespace qwb {

namespace {
constexpr size_t kAlign = 64;
size_t alignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

std::shared_ptr<void> alignedAlloc(size_t bytes, const std::string& what) {
  void* p = std::aligned_alloc(kAlign, alignUp(std::max<size_t>(bytes, 1)));
  if (!p) throw RuntimeError("out of memory allocating " + std::to_string(bytes) + " bytes for " + what);
  return std::shared_ptr<void>(p, [](void* q) { std::free(q); });
}
}  // namespace

dt_t toDnnl(DType t) {
  switch (t) {
    case DType::f32: return dt_t::f32;
    case DType::u8: return dt_t::u8;
    case DType::s8: return dt_t::s8;
    case DType::s32: return dt_t::s32;
  }
  return dt_t::undef;
}

md_t withDtype(const md_t& md, dt_t dt) {
  if (md.data_type() == dt) return md;
  if (md.data.format_kind != dnnl_blocked || md.data.extra.flags != 0) {
    throw RuntimeError("internal: cannot retype a non-plain memory desc");
  }
  // Blocking is expressed in elements, so it carries over to any element size.
  md_t r = md;
  r.data.data_type = static_cast<dnnl_data_type_t>(dt);
  return r;
}

md_t plainDescOf(const dims_t& dims, dt_t dt) {
  dims_t strides(dims.size());
  int64_t s = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    strides[i] = s;
    s *= std::max<int64_t>(dims[i], 1);
  }
  return md_t(dims, dt, strides);
}

md_t channelsLastDesc(const dims_t& dims, dt_t dt) {
  using T = dnnl::memory::format_tag;
  if (dims.size() == 3) return md_t(dims, dt, T::acb);
  if (dims.size() == 4) return md_t(dims, dt, T::acdb);
  if (dims.size() == 5) return md_t(dims, dt, T::acdeb);
  return plainDescOf(dims, dt);
}

CompileContext::CompileContext(std::shared_ptr<const Plan> plan, int64_t batch, dnnl::engine& eng,
                               dnnl::stream& strm)
    : plan_(std::move(plan)), batch_(batch), eng_(eng), strm_(strm) {
  const Plan& p = *plan_;
  const int nSteps = static_cast<int>(p.steps.size());
  tensors_.resize(p.tensors.size());
  lastUse_.assign(p.tensors.size(), -1);
  for (size_t i = 0; i < p.tensors.size(); i++) {
    dims_t d = dimsAtBatch(p.tensors[i], batch_);
    if (d.empty()) d = {1};
    tensors_[i].dims = d;
  }
  for (int s = 0; s < nSteps; s++) {
    for (int32_t id : p.steps[s].inputs) {
      if (id >= 0) lastUse_[id] = std::max(lastUse_[id], s);
    }
  }
  for (int32_t id : p.outputs) lastUse_[id] = nSteps;

  stepIndex_ = 0;
  for (size_t i = 0; i < p.tensors.size(); i++) {
    const PlanTensor& t = p.tensors[i];
    if (!t.isConstant()) continue;
    md_t md = plainDescOf(tensors_[i].dims, toDnnl(t.dtype));
    int b = newBuffer(Buffer::Constant, md.get_size());
    buffers[b].ptr = const_cast<uint8_t*>(t.data);
    TensorState& ts = tensors_[i];
    ts.defined = true;
    ts.variants.push_back({md, newMem(b, md)});
    bind(static_cast<int>(i), b);
  }
  // Graph inputs and outputs are row-major in their plan dtype (f32, or s32/u8/s8 for integer and
  // bool edges: token ids, masks, argmax results).
  for (int32_t id : p.inputs) {
    md_t md = plainDescOf(tensors_[id].dims, toDnnl(p.tensors[id].dtype));
    int b = newBuffer(Buffer::GraphInput, md.get_size());
    inputBuffers.push_back(b);
    TensorState& ts = tensors_[id];
    ts.defined = true;
    ts.variants.push_back({md, newMem(b, md)});
    bind(id, b);
  }
}

void CompileContext::compile() {
  const Plan& p = *plan_;
  const int nSteps = static_cast<int>(p.steps.size());
  stepActions.assign(nSteps, {});
  stepImpl.assign(nSteps, "");
  // oneDNN divides by dims when it builds compute primitives: a zero-size tensor (a 0-row batch)
  // once died of SIGFPE inside matmul creation. Every tensor a compute step reads or writes must be
  // non-empty; data movement (an empty Split piece, a Reshape with allowzero) may carry zero sizes.
  auto nonEmpty = [&](int32_t id, const std::string& where) {
    for (int64_t d : dimsAtBatch(p.tensors.at(id), batch_)) {
      if (d < 1) throw RuntimeError(where + "tensor '" + p.tensors.at(id).name + "' has a zero-size dimension (an empty batch?) at batch " + std::to_string(batch_));
    }
  };
  static const char* const kMovement[] = {"reshape", "transpose", "slice", "copy", "concat", "pad"};
  for (const PlanStep& st : p.steps) {
    bool movement = false;
    for (const char* k : kMovement) movement = movement || st.kind == k;
    if (movement) continue;
    for (auto* list : {&st.inputs, &st.outputs}) {
      for (int32_t id : *list) if (id >= 0) nonEmpty(id, "step " + st.label() + ": ");
    }
  }
  for (int s = 0; s < nSteps; s++) {
    stepIndex_ = s;
    step_ = &p.steps[s];
    StepCompiler fn = findStepCompiler(step_->kind);
    if (!fn) throw RuntimeError("step " + step_->label() + ": unknown step kind '" + step_->kind + "'");
    try {
      // Kinds without an integer implementation read and write f32 only.
      static const char* const kInt8Kinds[] = {"quantize", "dequantize", "requantize", "conv", "deconv", "matmul",
                                               "pool", "concat", "binary", "reshape", "transpose", "slice",
                                               "copy", "pad", "cast", "gather", "arg_reduce", "scatter_nd",
                                               "compare", "where"};
      bool int8Kind = false;
      for (const char* k : kInt8Kinds) int8Kind = int8Kind || step_->kind == k;
      if (!int8Kind) {
        for (auto* list : {&step_->inputs, &step_->outputs}) {
          for (int32_t id : *list) {
            if (id >= 0 && p.tensors[id].dtype != DType::f32) {
              throw RuntimeError("tensor '" + p.tensors[id].name + "' is not f32 (" + step_->kind +
                                 " has no integer implementation)");
            }
          }
        }
      }
      fn(*this);
      for (int32_t id : step_->outputs) {
        if (!tensors_[id].defined) throw RuntimeError("output '" + p.tensors[id].name + "' was not produced");
      }
    } catch (const dnnl::error& e) {
      throw RuntimeError("step " + step_->label() + ": oneDNN " + statusName(e.status) + ": " + e.what());
    } catch (const RuntimeError& e) {
      std::string msg = e.what();
      if (msg.rfind("step ", 0) == 0) throw;
      throw RuntimeError("step " + step_->label() + ": " + msg);
    } catch (const std::exception& e) {
      throw RuntimeError("step " + step_->label() + ": " + e.what());
    }
  }
  stepIndex_ = nSteps;
  step_ = nullptr;
  try {
    compileOutputs();
    packBuffers();
  } catch (const dnnl::error& e) {
    throw RuntimeError(std::string("graph outputs: oneDNN ") + statusName(e.status) + ": " + e.what());
  }
}

int CompileContext::in(size_t slot) const {
  return slot < step_->inputs.size() ? step_->inputs[slot] : -1;
}
int CompileContext::out(size_t slot) const {
  if (slot >= step_->outputs.size()) throw RuntimeError("missing output " + std::to_string(slot));
  return step_->outputs[slot];
}

dims_t CompileContext::tdims(int tid) const { return tensors_.at(tid).dims; }

const uint8_t* CompileContext::constBytes(int tid) const {
  if (!isConstant(tid)) throw RuntimeError("tensor '" + plan_->tensors[tid].name + "' must be a constant");
  return plan_->tensors[tid].data;
}

Mem CompileContext::persistentCopy(const md_t& md, const void* bytes) {
  int b = newBuffer(Buffer::Persistent, md.get_size());
  buffers[b].owned = alignedAlloc(md.get_size(), "step constants");
  buffers[b].ptr = buffers[b].owned.get();
  std::memcpy(buffers[b].ptr, bytes, md.get_size());
  return newMem(b, md);
}

md_t CompileContext::currentDesc(int tid) const {
  const TensorState& t = tensors_.at(tid);
  if (!t.defined) throw RuntimeError("tensor '" + plan_->tensors[tid].name + "' read before it is produced");
  return t.variants[0].md;
}

bool CompileContext::isConstant(int tid) const { return plan_->tensors.at(tid).isConstant(); }

const float* CompileContext::constData(int tid) const {
  if (!isConstant(tid)) throw RuntimeError("tensor '" + plan_->tensors[tid].name + "' must be a constant");
  if (plan_->tensors[tid].dtype != DType::f32) throw RuntimeError("constant '" + plan_->tensors[tid].name + "' must be f32");
  return reinterpret_cast<const float*>(plan_->tensors[tid].data);
}

int CompileContext::newBuffer(Buffer::Kind kind, size_t bytes) {
  Buffer b;
  b.kind = kind;
  b.bytes = bytes;
  b.first = b.last = stepIndex_;
  buffers.push_back(std::move(b));
  return static_cast<int>(buffers.size() - 1);
}

Mem CompileContext::newMem(int buffer, const md_t& md) {
  Buffer& b = buffers[buffer];
  dnnl::memory m = b.ptr ? dnnl::memory(md, eng_, b.ptr) : dnnl::memory(md, eng_, DNNL_MEMORY_NONE);
  b.mems.push_back(m);
  return Mem{m, buffer};
}

void CompileContext::bind(int tid, int buffer) {
  Buffer& b = buffers[buffer];
  b.tensors.push_back(tid);
  b.plannedEnd = std::max(b.plannedEnd, lastUse_[tid]);
}

void CompileContext::touch(const Mem& m) {
  Buffer& b = buffers[m.buffer];
  b.last = std::max(b.last, stepIndex_);
}

Mem CompileContext::inputCurrent(int tid) {
  currentDesc(tid);  // throws when undefined
  Mem m = tensors_[tid].variants[0].mem;
  touch(m);
  return m;
}

Mem CompileContext::input(int tid, const md_t& want) {
  currentDesc(tid);
  TensorState& t = tensors_[tid];
  for (auto& v : t.variants) {
    if (v.md == want) {
      touch(v.mem);
      return v.mem;
    }
  }
  Mem src = t.variants[0].mem;
  if (isConstant(tid)) {
    int b = newBuffer(Buffer::Persistent, want.get_size());
    buffers[b].owned = alignedAlloc(want.get_size(), "constant '" + plan_->tensors[tid].name + "'");
    buffers[b].ptr = buffers[b].owned.get();
    Mem dst = newMem(b, want);
    dnnl::reorder(src.m, dst.m).execute(strm_, src.m, dst.m);
    strm_.wait();
    t.variants.push_back({want, dst});
    bind(tid, b);
    return dst;
  }
  touch(src);
  int b = newBuffer(Buffer::Internal, want.get_size());
  Mem dst = newMem(b, want);
  bind(tid, b);
  addReorder(src, dst);
  t.variants.push_back({want, dst});
  return dst;
}

Mem CompileContext::constantAs(int tid, const md_t& userMd, const md_t& want) {
  if (!isConstant(tid)) {
    throw RuntimeError("tensor '" + plan_->tensors[tid].name + "' must be a constant (weights)");
  }
  int cb = tensors_[tid].variants[0].mem.buffer;
  if (userMd.get_size() != plan_->tensors[tid].byteLength) {
    throw RuntimeError("constant '" + plan_->tensors[tid].name + "' has " +
                       std::to_string(plan_->tensors[tid].byteLength) + " bytes, expected " +
                       std::to_string(userMd.get_size()));
  }
  Mem src = newMem(cb, userMd);
  if (userMd == want) return src;
  int b = newBuffer(Buffer::Persistent, want.get_size());
  buffers[b].owned = alignedAlloc(want.get_size(), "weights '" + plan_->tensors[tid].name + "'");
  buffers[b].ptr = buffers[b].owned.get();
  Mem dst = newMem(b, want);
  dnnl::reorder(src.m, dst.m).execute(strm_, src.m, dst.m);
  strm_.wait();
  return dst;
}

Mem CompileContext::output(int tid, const md_t& md) {
  TensorState& t = tensors_.at(tid);
  int b = newBuffer(Buffer::Internal, md.get_size());
  Mem m = newMem(b, md);
  bind(tid, b);
  t.defined = true;
  t.variants.assign(1, {md, m});
  return m;
}

Mem CompileContext::outputAlias(int tid, const Mem& src, const md_t& md) {
  TensorState& t = tensors_.at(tid);
  Mem m = (src.desc() == md) ? src : newMem(src.buffer, md);
  bind(tid, src.buffer);
  touch(src);
  t.defined = true;
  t.variants.assign(1, {md, m});
  return m;
}

bool CompileContext::canOverwrite(size_t slot, const Mem& m) const {
  const Buffer& b = buffers[m.buffer];
  if (b.kind != Buffer::Internal || b.plannedEnd > stepIndex_) return false;
  for (size_t j = 0; j < step_->inputs.size(); j++) {
    if (j == slot || step_->inputs[j] < 0) continue;
    int other = step_->inputs[j];
    if (other == step_->inputs[slot]) return false;
    if (std::find(b.tensors.begin(), b.tensors.end(), other) != b.tensors.end()) return false;
  }
  return true;
}

Mem CompileContext::view(const Mem& m, const md_t& md) {
  if (md.get_size() > buffers[m.buffer].bytes) throw RuntimeError("internal: view larger than its buffer");
  touch(m);
  return newMem(m.buffer, md);
}

Mem CompileContext::scratch(size_t bytes) {
  md_t md({static_cast<int64_t>((bytes + 3) / 4)}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
  int b = newBuffer(Buffer::Internal, md.get_size());
  return newMem(b, md);
}

dnnl::primitive_attr CompileContext::attr() const {
  dnnl::primitive_attr a;
  a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return a;
}

void CompileContext::addAction(Action a, const std::string& impl) {
  if (step_ == nullptr) {
    outputActions.push_back(std::move(a));
    return;
  }
  stepActions[stepIndex_].push_back(std::move(a));
  if (!impl.empty()) {
    std::string& s = stepImpl[stepIndex_];
    if (s.find(impl) == std::string::npos) s += (s.empty() ? "" : "+") + impl;
  }
}

void CompileContext::addPrimitive(const dnnl::primitive& p, const dnnl::primitive_desc_base& pd,
                                  const std::unordered_map<int, dnnl::memory>& args) {
  Action a;
  a.prim = p;
  for (auto& kv : args) {
    if (!kv.second) continue;
    a.args.push_back({kv.first, kv.second.get()});
    a.keep.push_back(kv.second);
  }
  md_t sp = pd.scratchpad_desc();
  if (sp.get_size() > 0) {
    if (scratchpadBuffer_ < 0) scratchpadBuffer_ = newBuffer(Buffer::Scratchpad, 0);
    scratchpadBytes_ = std::max(scratchpadBytes_, sp.get_size());
    Mem m = newMem(scratchpadBuffer_, sp);
    a.args.push_back({DNNL_ARG_SCRATCHPAD, m.m.get()});
    a.keep.push_back(m.m);
  }
  addAction(std::move(a), pd.impl_info_str());
}

void CompileContext::addReorder(const Mem& src, const Mem& dst) {
  dnnl::reorder::primitive_desc pd(eng_, src.desc(), eng_, dst.desc(), attr());
  addPrimitive(dnnl::reorder(pd), pd, {{DNNL_ARG_FROM, src.m}, {DNNL_ARG_TO, dst.m}});
}

void CompileContext::addLoop(std::function<void()> fn, const std::string& impl) {
  Action a;
  a.fn = std::move(fn);
  addAction(std::move(a), impl);
}

void CompileContext::compileOutputs() {
  for (int32_t id : plan_->outputs) {
    Mem src = inputCurrent(id);
    md_t plain = plainDescOf(tensors_[id].dims, toDnnl(plan_->tensors[id].dtype));
    int b = newBuffer(Buffer::UserOutput, plain.get_size());
    outputBuffers.push_back(b);
    Mem dst = newMem(b, plain);
    if (src.desc() == plain) {
      size_t bytes = plain.get_size();
      dnnl::memory s = src.m, d = dst.m;
      addLoop([s, d, bytes] { std::memcpy(d.get_data_handle(), s.get_data_handle(), bytes); });
    } else {
      addReorder(src, dst);
    }
  }
}

// Greedy first-fit packing by decreasing size: internal buffers whose [first, last] step ranges
// do not intersect may share bytes.
void CompileContext::packBuffers() {
  std::vector<int> order;
  for (size_t i = 0; i < buffers.size(); i++) {
    if (buffers[i].kind == Buffer::Internal) order.push_back(static_cast<int>(i));
  }
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return buffers[a].bytes != buffers[b].bytes ? buffers[a].bytes > buffers[b].bytes : a < b;
  });
  std::vector<size_t> offset(buffers.size(), 0);
  std::vector<int> placed;
  size_t total = 0;
  for (int i : order) {
    const Buffer& b = buffers[i];
    std::vector<std::pair<size_t, size_t>> busy;  // [begin, end) byte ranges live at the same time
    for (int j : placed) {
      const Buffer& o = buffers[j];
      if (o.first <= b.last && b.first <= o.last) busy.push_back({offset[j], offset[j] + alignUp(o.bytes)});
    }
    std::sort(busy.begin(), busy.end());
    size_t at = 0, need = alignUp(std::max<size_t>(b.bytes, 1));
    for (auto& r : busy) {
      if (at + need <= r.first) break;
      at = std::max(at, r.second);
    }
    offset[i] = at;
    total = std::max(total, at + need);
    placed.push_back(i);
  }
  arenaBytes = total;
  arena_ = alignedAlloc(total, "activation arena");
  char* base = static_cast<char*>(arena_.get());
  for (int i : order) {
    buffers[i].ptr = base + offset[i];
    for (auto& m : buffers[i].mems) m.set_data_handle(buffers[i].ptr);
  }
  if (scratchpadBuffer_ >= 0) {
    scratchpad_ = alignedAlloc(scratchpadBytes_, "oneDNN scratchpad");
    Buffer& sb = buffers[scratchpadBuffer_];
    sb.bytes = scratchpadBytes_;
    sb.ptr = scratchpad_.get();
    for (auto& m : sb.mems) m.set_data_handle(sb.ptr);
  }
}

}  // namespace qwb
