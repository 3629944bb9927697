// batchnorm: oneDNN batch normalization with global statistics, scale and shift (inference), on
// the input's current layout.
#include "../error.h"
#include "../compile-context.h"

namespace qwb {

void compileBatchnorm(CompileContext& c) {
  const int x = c.in(0), y = c.out(0);
  const dims_t xd = c.tdims(x);
  if (xd.size() < 2) throw RuntimeError("x must have rank >= 2");
  const int64_t C = xd[1];
  for (size_t i = 1; i <= 4; i++) {
    if (c.in(i) < 0 || c.tdims(c.in(i)) != dims_t{C}) {
      throw RuntimeError("scale, bias, mean and var must have dims (" + std::to_string(C) + ")");
    }
  }
  const float eps = static_cast<float>(c.step().getFloat("epsilon", 1e-5));
  Mem src = c.inputCurrent(x);
  const auto flags = dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale |
                     dnnl::normalization_flags::use_shift;
  dnnl::batch_normalization_forward::desc d(dnnl::prop_kind::forward_inference, src.desc(), eps, flags);
  dnnl::batch_normalization_forward::primitive_desc pd(d, c.attr(), c.engine());
  const md_t cd = CompileContext::plainDesc({C});
  Mem scale = c.input(c.in(1), cd), shift = c.input(c.in(2), cd), mean = c.input(c.in(3), cd),
      var = c.input(c.in(4), cd);
  Mem dst = c.canOverwrite(0, src) ? c.outputAlias(y, src, src.desc()) : c.output(y, pd.dst_desc());
  c.addPrimitive(dnnl::batch_normalization_forward(pd), pd,
                 {{DNNL_ARG_SRC, src.m}, {DNNL_ARG_DST, dst.m}, {DNNL_ARG_SCALE, scale.m}, {DNNL_ARG_SHIFT, shift.m},
                  {DNNL_ARG_MEAN, mean.m}, {DNNL_ARG_VARIANCE, var.m}});
}

}  // namespace qwb
