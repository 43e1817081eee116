package io.conifer.index;

/**
 * What an index is doing. {@link #READY} and {@link #RESTORING} are catalogued; {@link #STARTING} (its
 * store is opening, e.g. replaying its log) and {@link #FAILED} (its store or its port could not be
 * opened) are what a catalogued ready index is at run time, never written to the catalog.
 */
public enum IndexState {
    READY("Ready"),
    RESTORING("Initializing"),
    STARTING("Initializing"),
    FAILED("InitializationFailed");

    private final String apiName;

    IndexState(String apiName) {
        this.apiName = apiName;
    }

    /** The {@code status.state} of Pinecone's IndexModel. */
    public String apiName() {
        return apiName;
    }
}
