package io.conifer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A condition is logged when it starts, changes and ends, not on every occurrence. */
class ConditionLogTest {
    @Test
    void logsEachChangeOfConditionOnceNotEachOccurrence() {
        Logger logger = (Logger) LoggerFactory.getLogger("test.condition-log");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        ConditionLog health = new ConditionLog(logger, "Index x");

        for (int i = 0; i < 100; i++) health.report("disk full", "refusing writes", new IOException("No space left on device"));
        assertEquals(1, events.list.size(), "a hundred refusals in a row are one warning");
        assertTrue(health.active());

        health.report("storage failure (IOException)", "refusing writes", null);
        health.report("storage failure (IOException)", "refusing writes", null);
        assertEquals(2, events.list.size(), "a different condition is logged once");

        health.clear("writes are accepted again");
        health.clear("writes are accepted again");
        assertFalse(health.active());
        assertEquals(3, events.list.size(), "the end of the condition is logged once");
        assertEquals(Level.INFO, events.list.get(2).getLevel());

        for (int i = 0; i < 10; i++) {
            health.report("storage failure (IOException)", "refusing writes", null);
            assertTrue(health.active());
            health.clear("writes are accepted again");
        }
        assertEquals(3, events.list.size(), "a condition coming and going within a minute is not logged each time");

        health.report("disk full", "refusing writes", null);
        assertEquals(4, events.list.size(), "another condition is logged");
        assertEquals(Level.WARN, events.list.get(3).getLevel());
        logger.detachAppender(events);
    }
}
