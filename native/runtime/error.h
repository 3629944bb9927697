// Errors raised by the native runtime. Every message names where it happened (the plan, a tensor,
// or a step as `kind 'name'`) so that a failure in a 300-step plan can be traced to an ONNX node.
#pragma once
#include <stdexcept>
#include <string>

namespace qwb {

class RuntimeError : public std::runtime_error {
 public:
  explicit RuntimeError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace qwb
