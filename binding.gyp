{
  "targets": [
    {
      "target_name": "qwb_native",
      "sources": [
        "native/addon/addon.cc",
        "native/runtime/plan.cc",
        "native/runtime/session.cc",
        "native/runtime/compile-context.cc",
        "native/runtime/registry.cc",
        "native/runtime/cpu-features.cc",
        "native/runtime/steps/eltwise-ops.cc",
        "native/runtime/steps/post-ops.cc",
        "native/runtime/steps/conv.cc",
        "native/runtime/steps/matmul.cc",
        "native/runtime/steps/pool.cc",
        "native/runtime/steps/maxpool-blocked.cc",
        "native/runtime/steps/batchnorm.cc",
        "native/runtime/steps/eltwise.cc",
        "native/runtime/steps/binary.cc",
        "native/runtime/steps/concat.cc",
        "native/runtime/steps/softmax.cc",
        "native/runtime/steps/reduce.cc",
        "native/runtime/steps/layout.cc",
        "native/runtime/steps/resize.cc",
        "native/runtime/steps/quant.cc",
        "native/runtime/steps/index-ops.cc",
        "native/runtime/steps/layernorm.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++14"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fexceptions", "-Wall", "-Wno-unused-parameter"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
