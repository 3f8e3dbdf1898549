package org.echodriver.echoapp.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PatternTest {
    @Test
    void patternsOfDifferentWritesDiffer() {
        for (int i = 0; i < 50; i++) {
            for (int j = i + 1; j < 50; j++) {
                byte[] a = Pattern.of(i, 1024);
                byte[] b = Pattern.of(j, 1024);
                assertFalse(Arrays.equals(a, b), "writes " + i + " and " + j);
                // Distinct beyond the header too, so a torn read cannot pass as another write.
                assertFalse(Arrays.equals(a, Pattern.HEADER, 1024, b, Pattern.HEADER, 1024));
            }
        }
    }

    @Test
    void patternIsDeterministicAndShorterIsAPrefix() {
        assertArrayEquals(Pattern.of(7, 512), Pattern.of(7, 512));
        assertArrayEquals(Pattern.of(7, 100), Arrays.copyOf(Pattern.of(7, 30 * 1024), 100));
    }

    @Test
    void sourceOfFindsTheWriteOfAFullOrPartialEcho() {
        byte[] full = Pattern.of(42, 1024);
        assertEquals(42, Pattern.sourceOf(full, 1024, 100));
        assertEquals(42, Pattern.sourceOf(full, 300, 100));
        assertEquals(42, Pattern.sourceOf(full, 3, 100), "a read shorter than the header is matched by search");
    }

    @Test
    void sourceOfRejectsDataThatNoWriteSent() {
        byte[] data = Pattern.of(42, 1024);
        assertEquals(-1, Pattern.sourceOf(data, 1024, 42), "write 42 had not been sent");
        data[500] ^= 1;
        assertEquals(-1, Pattern.sourceOf(data, 1024, 100), "a corrupted byte");
        assertEquals(-1, Pattern.sourceOf(new byte[1024], 1024, 100), "zeros");
        assertEquals(-1, Pattern.sourceOf(data, 0, 100), "no data is not a match");
        assertTrue(Pattern.isPrefixOf(42, Pattern.of(42, 16), 16));
    }
}
