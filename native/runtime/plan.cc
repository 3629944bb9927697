// Parser and validator for the plan byte format in native/PLAN.md.
#include "plan.h"

#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "error.h"

namespace qwb {

size_t dtypeSize(DType t) {
  switch (t) {
    case DType::f32: return 4;
    case DType::s32: return 4;
    case DType::u8: return 1;
    case DType::s8: return 1;
  }
  return 0;
}

int64_t elementCount(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::vector<int64_t> dimsAtBatch(const PlanTensor& t, int64_t batch) {
  std::vector<int64_t> d = t.dims;
  if (t.batched && !d.empty()) d[0] *= batch;
  return d;
}

namespace {

// Bounds-checked little-endian reader; every failure names the byte offset.
class Reader {
 public:
  Reader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  size_t offset() const { return off_; }
  void need(size_t k, const char* what) {
    if (k > n_ - off_) {
      throw RuntimeError("plan: truncated at byte " + std::to_string(off_) + " while reading " + what);
    }
  }
  template <typename T>
  T read(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, p_ + off_, sizeof(T));
    off_ += sizeof(T);
    return v;
  }
  std::string str(const char* what) {
    uint32_t len = read<uint32_t>(what);
    need(len, what);
    std::string s(reinterpret_cast<const char*>(p_ + off_), len);
    off_ += len;
    return s;
  }
  const uint8_t* take(size_t k, const char* what) {
    need(k, what);
    const uint8_t* r = p_ + off_;
    off_ += k;
    return r;
  }
  void skipTo(size_t off, const char* what) {
    if (off > n_) throw RuntimeError(std::string("plan: truncated in padding before ") + what);
    off_ = off;
  }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t off_ = 0;
};

// Guards against absurd counts in corrupt bytes before reserving memory.
uint32_t readCount(Reader& r, const char* what, uint32_t limit) {
  uint32_t n = r.read<uint32_t>(what);
  if (n > limit) {
    throw RuntimeError("plan: implausible " + std::string(what) + " " + std::to_string(n) + " at byte " +
                       std::to_string(r.offset() - 4));
  }
  return n;
}

std::vector<int32_t> readIds(Reader& r, const char* what) {
  uint32_t n = readCount(r, what, 1u << 20);
  std::vector<int32_t> ids(n);
  for (auto& id : ids) id = r.read<int32_t>(what);
  return ids;
}

}  // namespace

std::shared_ptr<Plan> parsePlan(const uint8_t* bytes, size_t length) {
  auto plan = std::make_shared<Plan>();
  size_t alloc = (length + 63) / 64 * 64 + 64;
  void* mem = std::aligned_alloc(64, alloc);
  if (!mem) throw RuntimeError("plan: out of memory copying " + std::to_string(length) + " bytes");
  std::memcpy(mem, bytes, length);
  plan->storage = std::shared_ptr<uint8_t>(static_cast<uint8_t*>(mem), [](uint8_t* p) { std::free(p); });
  plan->storageSize = length;
  Reader r(plan->storage.get(), length);

  if (r.read<uint32_t>("magic") != 0x50425751u) throw RuntimeError("plan: bad magic (not a QWBP plan)");
  uint32_t version = r.read<uint32_t>("version");
  if (version != 1 && version != 2) throw RuntimeError("plan: unsupported version " + std::to_string(version));

  uint32_t tensorCount = readCount(r, "tensor count", 1u << 24);
  plan->tensors.resize(tensorCount);
  for (uint32_t i = 0; i < tensorCount; i++) {
    PlanTensor& t = plan->tensors[i];
    t.name = r.str("tensor name");
    uint8_t dt = r.read<uint8_t>("tensor dtype");
    if (dt > 3) throw RuntimeError("plan: tensor '" + t.name + "' has unknown dtype " + std::to_string(dt));
    t.dtype = static_cast<DType>(dt);
    t.batched = r.read<uint8_t>("tensor batched") != 0;
    uint32_t rank = readCount(r, "tensor rank", 12);
    t.dims.resize(rank);
    for (auto& d : t.dims) {
      d = r.read<int64_t>("tensor dims");
      if (d < 0) throw RuntimeError("plan: tensor '" + t.name + "' has a negative dim");
    }
    if (t.batched && rank == 0) throw RuntimeError("plan: tensor '" + t.name + "' is batched but has rank 0");
    if (r.read<uint8_t>("tensor has_data")) {
      uint64_t len = r.read<uint64_t>("tensor byte_length");
      size_t aligned = (r.offset() + 63) / 64 * 64;
      r.skipTo(aligned, "constant data");
      if (len > length) throw RuntimeError("plan: tensor '" + t.name + "' data runs past the end");
      t.data = r.take(static_cast<size_t>(len), "constant data");
      t.byteLength = len;
      uint64_t expect = static_cast<uint64_t>(elementCount(t.dims)) * dtypeSize(t.dtype);
      if (len != expect) {
        throw RuntimeError("plan: constant '" + t.name + "' has " + std::to_string(len) + " bytes, dims need " +
                           std::to_string(expect));
      }
      if (t.batched) throw RuntimeError("plan: constant '" + t.name + "' cannot be batched");
    }
    if (version >= 2) {
      uint32_t count = readCount(r, "scale count", 1u << 24);
      t.quant.scales.resize(count);
      t.quant.zeroPoints.resize(count);
      for (auto& v : t.quant.scales) v = r.read<float>("scales");
      for (auto& v : t.quant.zeroPoints) v = r.read<int32_t>("zero points");
      t.quant.axis = r.read<int32_t>("quant axis");
      if (count > 0) {
        const std::string what = "plan: tensor '" + t.name + "' ";
        if (t.dtype == DType::f32) throw RuntimeError(what + "is f32 but carries scales");
        for (float v : t.quant.scales) {
          if (!(v > 0.f) || !std::isfinite(v)) throw RuntimeError(what + "has a scale that is not positive and finite");
        }
        if (count > 1 && (t.quant.axis < 0 || t.quant.axis >= static_cast<int32_t>(rank) ||
                          t.dims[t.quant.axis] != static_cast<int64_t>(count))) {
          throw RuntimeError(what + "has " + std::to_string(count) + " scales, which does not match dims along axis " +
                             std::to_string(t.quant.axis));
        }
        const int64_t lo = t.dtype == DType::u8 ? 0 : t.dtype == DType::s8 ? -128 : INT32_MIN;
        const int64_t hi = t.dtype == DType::u8 ? 255 : t.dtype == DType::s8 ? 127 : INT32_MAX;
        for (int32_t z : t.quant.zeroPoints) {
          if (z < lo || z > hi) throw RuntimeError(what + "has a zero point outside its dtype's range");
        }
      }
    }
  }

  uint32_t stepCount = readCount(r, "step count", 1u << 24);
  plan->steps.resize(stepCount);
  for (uint32_t i = 0; i < stepCount; i++) {
    PlanStep& s = plan->steps[i];
    s.kind = r.str("step kind");
    s.name = r.str("step name");
    uint32_t nodeCount = readCount(r, "node count", 1u << 16);
    for (uint32_t k = 0; k < nodeCount; k++) s.nodes.push_back(r.str("step node"));
    s.inputs = readIds(r, "step inputs");
    s.outputs = readIds(r, "step outputs");
    uint32_t attrCount = readCount(r, "attr count", 1u << 12);
    for (uint32_t k = 0; k < attrCount; k++) {
      std::string name = r.str("attr name");
      PlanAttr a;
      uint8_t type = r.read<uint8_t>("attr type");
      if (type > 1) throw RuntimeError("plan: step " + s.label() + " attr '" + name + "' has unknown type");
      a.isString = type == 1;
      uint32_t count = readCount(r, "attr value count", 1u << 24);
      for (uint32_t v = 0; v < count; v++) {
        if (a.isString) a.strings.push_back(r.str("attr string"));
        else a.numbers.push_back(r.read<double>("attr number"));
      }
      s.attrs[name] = std::move(a);
    }
  }
  plan->inputs = readIds(r, "plan inputs");
  plan->outputs = readIds(r, "plan outputs");
  if (r.offset() != length) {
    throw RuntimeError("plan: " + std::to_string(length - r.offset()) + " trailing bytes after the outputs");
  }

  // Validation: ids in range, single producer, topological order.
  const int32_t n = static_cast<int32_t>(tensorCount);
  std::vector<int> producer(tensorCount, -2);  // -2 none yet, -1 graph input/constant, >=0 step
  auto tensorName = [&](int32_t id) { return "'" + plan->tensors[id].name + "' (#" + std::to_string(id) + ")"; };
  for (int32_t id : plan->inputs) {
    if (id < 0 || id >= n) throw RuntimeError("plan: graph input id " + std::to_string(id) + " out of range");
    if (plan->tensors[id].isConstant()) throw RuntimeError("plan: graph input " + tensorName(id) + " is a constant");
    if (producer[id] != -2) throw RuntimeError("plan: graph input " + tensorName(id) + " listed twice");
    producer[id] = -1;
  }
  for (int32_t id = 0; id < n; id++) {
    if (plan->tensors[id].isConstant()) producer[id] = -1;
  }
  for (uint32_t i = 0; i < stepCount; i++) {
    const PlanStep& s = plan->steps[i];
    for (int32_t id : s.inputs) {
      if (id == -1) continue;
      if (id < 0 || id >= n) {
        throw RuntimeError("plan: step " + s.label() + " input id " + std::to_string(id) + " out of range");
      }
      if (producer[id] == -2) {
        throw RuntimeError("plan: step " + s.label() + " reads " + tensorName(id) +
                           " before any step produces it");
      }
    }
    for (int32_t id : s.outputs) {
      if (id < 0 || id >= n) {
        throw RuntimeError("plan: step " + s.label() + " output id " + std::to_string(id) + " out of range");
      }
      if (producer[id] != -2) {
        throw RuntimeError("plan: step " + s.label() + " produces " + tensorName(id) +
                           ", which is already a graph input, constant or another step's output");
      }
      producer[id] = static_cast<int>(i);
    }
  }
  for (int32_t id : plan->outputs) {
    if (id < 0 || id >= n) throw RuntimeError("plan: graph output id " + std::to_string(id) + " out of range");
    if (producer[id] == -2) throw RuntimeError("plan: graph output " + tensorName(id) + " is never produced");
  }
  return plan;
}

// ---- attribute accessors ----

std::string PlanStep::label() const { return kind + " '" + name + "'"; }

const PlanAttr& PlanStep::numbersAttr(const std::string& attr) const {
  auto it = attrs.find(attr);
  if (it == attrs.end()) throw RuntimeError("step " + label() + ": missing attribute '" + attr + "'");
  // An empty list carries no type on the wire; it reads as an empty list of either kind.
  if (it->second.isString && !it->second.strings.empty()) {
    throw RuntimeError("step " + label() + ": attribute '" + attr + "' must be numbers");
  }
  return it->second;
}

const PlanAttr& PlanStep::stringsAttr(const std::string& attr) const {
  auto it = attrs.find(attr);
  if (it == attrs.end()) throw RuntimeError("step " + label() + ": missing attribute '" + attr + "'");
  if (!it->second.isString && !it->second.numbers.empty()) {
    throw RuntimeError("step " + label() + ": attribute '" + attr + "' must be strings");
  }
  return it->second;
}

int64_t PlanStep::getInt(const std::string& attr) const {
  const PlanAttr& a = numbersAttr(attr);
  if (a.numbers.size() != 1) throw RuntimeError("step " + label() + ": attribute '" + attr + "' must be one number");
  double v = a.numbers[0];
  if (v != std::floor(v)) throw RuntimeError("step " + label() + ": attribute '" + attr + "' must be an integer");
  return static_cast<int64_t>(v);
}
int64_t PlanStep::getInt(const std::string& attr, int64_t fallback) const {
  return has(attr) ? getInt(attr) : fallback;
}
double PlanStep::getFloat(const std::string& attr) const {
  const PlanAttr& a = numbersAttr(attr);
  if (a.numbers.size() != 1) throw RuntimeError("step " + label() + ": attribute '" + attr + "' must be one number");
  return a.numbers[0];
}
double PlanStep::getFloat(const std::string& attr, double fallback) const {
  return has(attr) ? getFloat(attr) : fallback;
}
std::vector<int64_t> PlanStep::getInts(const std::string& attr) const {
  const PlanAttr& a = numbersAttr(attr);
  std::vector<int64_t> out;
  for (double v : a.numbers) {
    if (v != std::floor(v)) throw RuntimeError("step " + label() + ": attribute '" + attr + "' must be integers");
    out.push_back(static_cast<int64_t>(v));
  }
  return out;
}
std::vector<int64_t> PlanStep::getInts(const std::string& attr, const std::vector<int64_t>& fallback) const {
  return has(attr) ? getInts(attr) : fallback;
}
std::vector<double> PlanStep::getFloats(const std::string& attr, const std::vector<double>& fallback) const {
  return has(attr) ? numbersAttr(attr).numbers : fallback;
}
std::string PlanStep::getString(const std::string& attr) const {
  const PlanAttr& a = stringsAttr(attr);
  if (a.strings.size() != 1) throw RuntimeError("step " + label() + ": attribute '" + attr + "' must be one string");
  return a.strings[0];
}
std::string PlanStep::getString(const std::string& attr, const std::string& fallback) const {
  return has(attr) ? getString(attr) : fallback;
}
std::vector<std::string> PlanStep::getStrings(const std::string& attr,
                                              const std::vector<std::string>& fallback) const {
  return has(attr) ? stringsAttr(attr).strings : fallback;
}

}  // namespace qwb
