package org.echodriver.echoapp.cli;

import java.util.Arrays;

/**
 * The data that echoapp writes: one pattern per write number, distinct from every other
 * write's. The first eight bytes hold the write number (little endian), the rest come from
 * a xorshift generator seeded with it, so a read can be traced to the write it echoes.
 */
public final class Pattern {
    /** Bytes at the start of a pattern that carry its write number. */
    public static final int HEADER = Long.BYTES;

    private Pattern() {
    }

    /** The pattern of write number {@code index}, {@code length} bytes long. */
    public static byte[] of(long index, int length) {
        byte[] data = new byte[length];
        fill(index, data, length);
        return data;
    }

    private static void fill(long index, byte[] data, int length) {
        int i = 0;
        for (; i < Math.min(HEADER, length); i++) {
            data[i] = (byte) (index >>> (8 * i));
        }
        long state = index * 0x9E3779B97F4A7C15L + 0x2545F4914F6CDD1DL;
        while (i < length) {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            for (int b = 0; b < Long.BYTES && i < length; b++, i++) {
                data[i] = (byte) (state >>> (8 * b));
            }
        }
    }

    /** True when the first {@code length} bytes of {@code data} are a prefix of write {@code index}'s pattern. */
    public static boolean isPrefixOf(long index, byte[] data, int length) {
        return Arrays.equals(data, 0, length, of(index, length), 0, length);
    }

    /**
     * Finds the write whose pattern the first {@code length} bytes of {@code data} are a
     * prefix of, among writes 0 to {@code writes - 1}.
     *
     * @return the write number, or -1 when no write sent these bytes
     */
    public static long sourceOf(byte[] data, int length, long writes) {
        if (length <= 0 || length > data.length) {
            return -1;
        }
        if (length >= HEADER) {
            long index = 0;
            for (int i = HEADER - 1; i >= 0; i--) {
                index = (index << 8) | (data[i] & 0xFF);
            }
            return index >= 0 && index < writes && isPrefixOf(index, data, length) ? index : -1;
        }
        for (long index = 0; index < writes; index++) {
            if (isPrefixOf(index, data, length)) {
                return index;
            }
        }
        return -1;
    }
}
