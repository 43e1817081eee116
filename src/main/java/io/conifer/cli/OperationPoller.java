package io.conifer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Waits for a server-side operation (a backup's copy, a restore job) by describing it over and over,
 * showing the progress each answer reports, until the answer says it has ended.
 */
final class OperationPoller {
    private static final long INTERVAL_MILLIS = 250;

    /** Describes the operation once. */
    interface Describe {
        JsonNode get() throws ClientException;
    }

    private OperationPoller() {}

    /**
     * The operation's last description, once {@code ended} holds for it; {@code progressOf} answers null
     * for a state that reports no progress (e.g. a failure), which is then not shown.
     */
    static JsonNode await(Describe describe, Predicate<JsonNode> ended, Function<JsonNode, Progress> progressOf,
            ProgressView view) throws ClientException {
        try (view) {
            while (true) {
                JsonNode state = describe.get();
                boolean over = ended.test(state);
                Progress p = progressOf.apply(state);
                if (p != null) view.show(p);
                if (over) return state;
                try {
                    Thread.sleep(INTERVAL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ClientException(ClientException.OPERATION_FAILED, "interrupted while waiting");
                }
            }
        }
    }
}
