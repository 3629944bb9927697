// The step table: plan kind -> compiler (steps/*.cc). One line per kind in native/PLAN.md.
#include <unordered_map>

#include "compile-context.h"

namespace qwb {

void compileConv(CompileContext&);
void compileDeconv(CompileContext&);
void compileMatmul(CompileContext&);
void compilePool(CompileContext&);
void compileBatchnorm(CompileContext&);
void compileEltwise(CompileContext&);
void compileBinary(CompileContext&);
void compileConcat(CompileContext&);
void compileSoftmax(CompileContext&);
void compileReduce(CompileContext&);
void compileReshape(CompileContext&);
void compileTranspose(CompileContext&);
void compileSlice(CompileContext&);
void compilePad(CompileContext&);
void compileCopy(CompileContext&);
void compileResize(CompileContext&);
void compileQuantize(CompileContext&);
void compileDequantize(CompileContext&);
void compileRequantize(CompileContext&);
void compileCast(CompileContext&);
void compileGather(CompileContext&);
void compileArgReduce(CompileContext&);
void compileScatterNd(CompileContext&);
void compileCompare(CompileContext&);
void compileWhere(CompileContext&);
void compileLayerNorm(CompileContext&);

StepCompiler findStepCompiler(const std::string& kind) {
  static const std::unordered_map<std::string, StepCompiler> table{
      {"conv", compileConv},           {"deconv", compileDeconv},   {"matmul", compileMatmul},
      {"pool", compilePool},           {"batchnorm", compileBatchnorm}, {"eltwise", compileEltwise},
      {"binary", compileBinary},       {"concat", compileConcat},   {"softmax", compileSoftmax},
      {"reduce", compileReduce},       {"reshape", compileReshape}, {"transpose", compileTranspose},
      {"slice", compileSlice},         {"pad", compilePad},         {"copy", compileCopy},
      {"resize", compileResize},       {"quantize", compileQuantize}, {"dequantize", compileDequantize},
      {"requantize", compileRequantize}, {"cast", compileCast},         {"gather", compileGather},
      {"arg_reduce", compileArgReduce}, {"scatter_nd", compileScatterNd}, {"compare", compileCompare},
      {"where", compileWhere},         {"layernorm", compileLayerNorm},
  };
  auto it = table.find(kind);
  return it == table.end() ? nullptr : it->second;
}

}  // namespace qwb
