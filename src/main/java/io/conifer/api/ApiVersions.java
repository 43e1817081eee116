package io.conifer.api;

import io.conifer.error.ConiferException;
import java.util.List;

/** The Pinecone API versions Conifer serves; they are identical for everything Conifer implements. */
public final class ApiVersions {
    public static final String HEADER = "x-pinecone-api-version";
    public static final List<String> SUPPORTED = List.of("2025-10", "2026-04", "2026-07");

    private ApiVersions() {}

    /** Accepts a missing header (Pinecone then serves its oldest stable version) or a supported one. */
    public static void check(String version) {
        if (version == null || version.isEmpty() || SUPPORTED.contains(version)) return;
        throw ConiferException.invalid("Unsupported API version '" + version + "' in X-Pinecone-Api-Version; this server"
                + " supports " + String.join(" and ", SUPPORTED));
    }
}
