package io.conifer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request that writes in parts under one set of locks (an update or delete by filter, a part per
 * thousand records) is admitted by the write governor once: were each part admitted on its own, a
 * refusal after the first part (429 "nothing was written") would leave that part written.
 */
class PartsAdmittedOnceTest {
    private final WriteGovernorTest.SimulatedClocks clocks = new WriteGovernorTest.SimulatedClocks();
    private final WriteGovernor governor = new WriteGovernor(2, clocks);
    /** Set: the next apply also uses up the governor's budget and reserve, as a long merge would. */
    private final AtomicBoolean exhaustBudget = new AtomicBoolean();

    private final RecordShape<String> shape = WriteGovernorTest.ids(() -> {
        if (exhaustBudget.getAndSet(false)) {
            governor.charge(true, TimeUnit.SECONDS.toNanos(1000)); // the budget
            governor.charge(true, TimeUnit.SECONDS.toNanos(1000)); // then the applies' reserve
        }
    });

    @Test
    void aRequestInPartsIsNeverRefusedAfterItsFirstPart(@TempDir Path dir) throws IOException {
        try (StorageEngine<String> store = StorageEngine.open(dir, shape, null, StoreOptions.defaults(), governor);
                KeyLocks.Held queries = governor.read()) {
            exhaustBudget.set(true);
            try (StorageEngine<String>.WriteLocks request = store.lockAll()) {
                request.logAndApply("part 1");
                request.logAndApply("part 2");
                request.logAndApply("part 3");
            }
            ConiferException refused = assertThrows(ConiferException.class, () -> {
                try (StorageEngine<String>.WriteLocks request = store.lockAll()) {
                    request.logAndApply("the next request");
                }
            }, "the budget the first request used up holds the next one back");
            assertEquals(ErrorCode.RESOURCE_EXHAUSTED, refused.code());
            assertEquals(3, store.read(s -> s.getIndexReader().numDocs()).result(), "every part written, nothing of the refused request");
        }
    }
}
