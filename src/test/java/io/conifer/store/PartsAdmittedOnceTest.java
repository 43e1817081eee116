package io.conifer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request that writes in parts under one set of locks (an update or delete by filter, a part per
 * thousand records) may be refused by the write governor only before its first part: a refusal after it
 * (429 "nothing was written") would leave that part written. Its later parts still wait for the budget
 * whenever reads are in flight, as any write does.
 */
class PartsAdmittedOnceTest {
    private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);
    private final WriteGovernorTest.SimulatedClocks clocks = new WriteGovernorTest.SimulatedClocks();
    private final WriteGovernor governor = new WriteGovernor(2, clocks);
    /** Set: the next apply also uses up the governor's budget and reserve, as a long merge would. */
    private final AtomicBoolean exhaustBudget = new AtomicBoolean();

    private final RecordShape<String> shape = WriteGovernorTest.ids(() -> {
        if (exhaustBudget.getAndSet(false)) exhaust();
    });

    /** Ten seconds of CPU charged to the budget, then ten to the applies' reserve: 100 s of wall time to earn back. */
    private void exhaust() {
        governor.charge(true, TEN_SECONDS);
        governor.charge(true, TEN_SECONDS);
    }

    @Test
    void laterPartsWaitForTheBudgetAndAreNeverRefused(@TempDir Path dir) throws IOException {
        try (StorageEngine<String> store = StorageEngine.open(dir, shape, null, null, StoreOptions.defaults(), governor);
                KeyLocks.Held queries = governor.read()) {
            exhaustBudget.set(true);
            long before = clocks.nanoTime();
            try (StorageEngine<String>.WriteLocks request = store.lockAll()) {
                request.logAndApply("part 1");
                request.logAndApply("part 2");
                request.logAndApply("part 3");
            }
            // 100 s of waiting, twenty times what a new request may wait (5 s) before it is refused.
            assertTrue(clocks.nanoTime() - before >= TimeUnit.SECONDS.toNanos(90), "the later parts waited for the budget");
            assertEquals(3, store.read(s -> s.getIndexReader().numDocs()).result(), "every part written");
        }
    }

    @Test
    void aRequestStartedWithoutReadsIsGovernedOnceReadsStart(@TempDir Path dir) throws IOException {
        try (StorageEngine<String> store = StorageEngine.open(dir, shape, null, null, StoreOptions.defaults(), governor);
                StorageEngine<String>.WriteLocks request = store.lockAll()) {
            request.logAndApply("part 1");
            long before = clocks.nanoTime();
            try (KeyLocks.Held queries = governor.read()) {
                exhaust();
                request.logAndApply("part 2");
            }
            assertTrue(clocks.nanoTime() - before >= TimeUnit.SECONDS.toNanos(90), "the part waited for the budget queries left");
        }
    }
}
