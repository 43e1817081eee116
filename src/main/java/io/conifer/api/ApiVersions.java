package io.conifer.api;

import io.conifer.error.ConiferException;
import java.util.List;

/** The Pinecone API versions Conifer serves: this list is the only place that names them. */
public final class ApiVersions {
    public static final String HEADER = "x-pinecone-api-version";
    public static final List<ApiVersion> SUPPORTED = List.of(ApiVersion.V2025_10, ApiVersion.V2026_04, ApiVersion.V2026_07);

    private ApiVersions() {}

    /**
     * The version a request asks for. Without the header Pinecone serves its oldest supported stable
     * version; an unknown version is a 400 that names the supported ones.
     */
    public static ApiVersion resolve(String header) {
        if (header == null || header.isEmpty()) return SUPPORTED.get(0);
        for (ApiVersion v : SUPPORTED) if (v.wire().equals(header)) return v;
        throw ConiferException.invalid("Unsupported API version '" + header + "' in X-Pinecone-Api-Version; this server"
                + " supports " + String.join(", ", SUPPORTED.stream().map(ApiVersion::wire).toList()));
    }
}
