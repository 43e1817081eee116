package io.conifer.api;

/** One Pinecone API version, as sent in {@code X-Pinecone-Api-Version}; declared oldest first. */
public enum ApiVersion {
    V2025_10("2025-10"),
    V2026_04("2026-04"),
    V2026_07("2026-07");

    private final String wire;

    ApiVersion(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public boolean atLeast(ApiVersion other) {
        return compareTo(other) >= 0;
    }
}
