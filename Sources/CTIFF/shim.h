#ifndef CTIFF_SHIM_H
#define CTIFF_SHIM_H
#include <tiffio.h>
#include <stdint.h>

// TIFFGetField is variadic and cannot be called from Swift: typed wrappers, one per value shape.
static inline int CTIFF_GetUInt16(TIFF *tif, uint32_t tag, uint16_t *value) { return TIFFGetField(tif, tag, value); }
static inline int CTIFF_GetUInt32(TIFF *tif, uint32_t tag, uint32_t *value) { return TIFFGetField(tif, tag, value); }
static inline int CTIFF_GetFloat(TIFF *tif, uint32_t tag, float *value) { return TIFFGetField(tif, tag, value); }
static inline int CTIFF_GetString(TIFF *tif, uint32_t tag, const char **value) { return TIFFGetField(tif, tag, value); }
static inline int CTIFF_GetUInt16Defaulted(TIFF *tif, uint32_t tag, uint16_t *value) { return TIFFGetFieldDefaulted(tif, tag, value); }
static inline int CTIFF_GetUInt32Defaulted(TIFF *tif, uint32_t tag, uint32_t *value) { return TIFFGetFieldDefaulted(tif, tag, value); }
static inline int CTIFF_GetColormap(TIFF *tif, uint16_t **r, uint16_t **g, uint16_t **b) { return TIFFGetField(tif, TIFFTAG_COLORMAP, r, g, b); }
static inline int CTIFF_SetUInt32(TIFF *tif, uint32_t tag, uint32_t value) { return TIFFSetField(tif, tag, value); }

#endif
