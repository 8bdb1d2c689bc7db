#ifndef TELEGEN_CJSONMARKS_H
#define TELEGEN_CJSONMARKS_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Where the bytes that give a JSON text its shape lie in 64 bytes: bit i of each mask
/// is byte i. Swift has no spelling of a vector compare's byte mask (`movemask`), so the
/// compares live here and everything built on the masks lives in Swift.
typedef struct {
    uint64_t quotes;      // '"'
    uint64_t backslashes; // '\'
    uint64_t opens;       // '{' or '['
    uint64_t closes;      // '}' or ']'
} telegen_json_marks;

#if defined(__SSE2__)
/// The byte mask of 16 compares, at `shift`.
static inline uint64_t telegen_json_mask16(__m128i equal, int shift) {
    return (uint64_t)(uint16_t)_mm_movemask_epi8(equal) << shift;
}
#endif

/// The marks of the 64 bytes at `bytes`, all of which must be readable. '[' and '{'
/// (0x5B, 0x7B) differ only in bit 0x20, as do ']' and '}', so each pair is one compare
/// after setting that bit.
static inline telegen_json_marks telegen_json_marks64(const uint8_t *bytes) {
    telegen_json_marks marks = {0, 0, 0, 0};
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}'), fold = _mm_set1_epi8(0x20);
    for (int block = 0; block < 4; block++) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(bytes + 16 * block));
        const __m128i folded = _mm_or_si128(v, fold);
        marks.quotes |= telegen_json_mask16(_mm_cmpeq_epi8(v, quote), 16 * block);
        marks.backslashes |= telegen_json_mask16(_mm_cmpeq_epi8(v, backslash), 16 * block);
        marks.opens |= telegen_json_mask16(_mm_cmpeq_epi8(folded, open), 16 * block);
        marks.closes |= telegen_json_mask16(_mm_cmpeq_epi8(folded, close), 16 * block);
    }
#else
    for (int i = 0; i < 64; i++) {
        const uint8_t byte = bytes[i], folded = byte | 0x20;
        const uint64_t bit = (uint64_t)1 << i;
        if (byte == '"') marks.quotes |= bit;
        if (byte == '\\') marks.backslashes |= bit;
        if (folded == '{') marks.opens |= bit;
        if (folded == '}') marks.closes |= bit;
    }
#endif
    return marks;
}

#endif
