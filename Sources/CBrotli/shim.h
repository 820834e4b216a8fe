#ifndef EDGE_CBROTLI_SHIM_H
#define EDGE_CBROTLI_SHIM_H

// The system brotli library (Debian: libbrotli-dev), encoder and decoder.
#include <brotli/encode.h>
#include <brotli/decode.h>

#endif
