#ifndef EDGE_CZLIB_SHIM_H
#define EDGE_CZLIB_SHIM_H

// The system zlib (Debian: zlib1g-dev), used for the gzip content coding.
#include <zlib.h>

// deflateInit2 and inflateInit2 are macros that pass the library version and the size of z_stream; Swift cannot
// call macros, so these wrappers do.
static inline int edge_deflateInit2(z_streamp stream, int level, int windowBits, int memLevel, int strategy) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, strategy);
}

static inline int edge_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
