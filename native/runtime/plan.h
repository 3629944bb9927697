// The parsed plan (format: native/PLAN.md). The Plan owns a 64-byte aligned copy of the plan bytes
// so that constant tensors can be used in place (their data pointers point into that copy).
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace qwb {

enum class DType : uint8_t { f32 = 0, u8 = 1, s8 = 2, s32 = 3 };
size_t dtypeSize(DType t);

/** Quantization parameters (format version 2): real = scales[c] * (q - zeroPoints[c]), c indexing
 *  `axis` when there is more than one scale. Empty scales = not quantized. */
struct QuantParams {
  std::vector<float> scales;
  std::vector<int32_t> zeroPoints;
  int32_t axis = 0;
  bool empty() const { return scales.empty(); }
};

struct PlanTensor {
  std::string name;
  DType dtype = DType::f32;
  bool batched = false;
  std::vector<int64_t> dims;  // at batch 1 when batched
  const uint8_t* data = nullptr;  // constant data (into Plan storage), else null
  uint64_t byteLength = 0;
  QuantParams quant;
  bool isConstant() const { return data != nullptr || byteLength != 0; }
};

struct PlanAttr {
  bool isString = false;
  std::vector<double> numbers;
  std::vector<std::string> strings;
};

struct PlanStep {
  std::string kind;
  std::string name;
  std::vector<std::string> nodes;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  std::map<std::string, PlanAttr> attrs;

  /** "kind 'name'", the prefix of every error about this step. */
  std::string label() const;
  bool has(const std::string& attr) const { return attrs.count(attr) != 0; }
  // Accessors: a missing attribute returns the fallback when one is given, else throws naming
  // the step and the attribute; a wrong type always throws.
  int64_t getInt(const std::string& attr) const;
  int64_t getInt(const std::string& attr, int64_t fallback) const;
  double getFloat(const std::string& attr) const;
  double getFloat(const std::string& attr, double fallback) const;
  std::vector<int64_t> getInts(const std::string& attr) const;
  std::vector<int64_t> getInts(const std::string& attr, const std::vector<int64_t>& fallback) const;
  std::vector<double> getFloats(const std::string& attr, const std::vector<double>& fallback) const;
  std::string getString(const std::string& attr) const;
  std::string getString(const std::string& attr, const std::string& fallback) const;
  std::vector<std::string> getStrings(const std::string& attr, const std::vector<std::string>& fallback) const;

 private:
  const PlanAttr& numbersAttr(const std::string& attr) const;
  const PlanAttr& stringsAttr(const std::string& attr) const;
};

struct Plan {
  std::vector<PlanTensor> tensors;
  std::vector<PlanStep> steps;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  std::shared_ptr<uint8_t> storage;  // aligned copy of the plan bytes
  size_t storageSize = 0;
};

/** Parses and validates plan bytes (copied). Throws RuntimeError naming the offset, tensor or step. */
std::shared_ptr<Plan> parsePlan(const uint8_t* bytes, size_t length);

/** Logical dims of a tensor at a batch size. */
std::vector<int64_t> dimsAtBatch(const PlanTensor& t, int64_t batch);
int64_t elementCount(const std::vector<int64_t>& dims);

}  // namespace qwb
