package io.conifer.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiKeysTest {
    /** The message of a bad --api-key goes to the terminal and logs: it names the entry, never its secret. */
    @Test
    void aBadEntryIsNamedWithoutItsKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiKeys.parse("k1, s3cr3t-value:"));
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        assertTrue(e.getMessage().contains("entry 2") && e.getMessage().contains("project"), e.getMessage());
        IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class, () -> ApiKeys.parse(":team"));
        assertTrue(noKey.getMessage().contains("entry 1") && noKey.getMessage().contains("the key is empty"), noKey.getMessage());
    }
}
