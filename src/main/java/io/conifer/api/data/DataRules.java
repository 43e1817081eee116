package io.conifer.api.data;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import io.conifer.api.ApiVersion;
import io.conifer.api.ApiVersions;
import io.conifer.error.ConiferException;
import io.conifer.proto.DescribeIndexStatsResponse;
import io.conifer.proto.NamespaceDescription;
import io.conifer.vectors.VectorSpace;
import io.grpc.Status;
import java.util.Collection;
import java.util.Map;

/**
 * What differs between API versions on the vector data plane, for gRPC and REST alike: the request
 * checks a version adds to the limits every version shares ({@code vectors.Limits}), and the fields
 * only some versions' responses carry. Chosen per call from the version {@link DataPlaneAuth} resolved.
 */
interface DataRules {
    static DataRules current() {
        return of(DataPlaneAuth.version());
    }

    /** The rules of a REST request's version header; an unsupported one is refused elsewhere, so the oldest. */
    static DataRules forHeader(String header) {
        try {
            return of(ApiVersions.resolve(header));
        } catch (ConiferException e) {
            return of(ApiVersions.SUPPORTED.get(0));
        }
    }

    static DataRules of(ApiVersion version) {
        return switch (version) {
            case V2025_10, V2026_04 -> Classic.INSTANCE;
            case V2026_07 -> V2026_07.INSTANCE;
        };
    }

    void ids(Collection<String> ids);

    /** The top-level keys of a record's metadata or an update's setMetadata; null when the request has none. */
    void metadataKeys(Map<String, Object> metadata, String what);

    /**
     * A namespace name of a namespace operation (create, describe, delete) or a list's {@code prefix}
     * ({@code what} names which); upserts and queries name namespaces under the shared limits only.
     */
    void asciiName(String value, String what);

    /** A dense vector of a request (a record, an update, a query); null when the request has none. */
    void dense(float[] values, String what);

    void stats(DescribeIndexStatsResponse.Builder b);

    /** Whether a describe_index_stats request may carry a non-empty metadata filter. */
    void statsFilter(boolean nonEmpty);

    /** The {@code limit} a list request gives (vector ids or namespaces); the shared limits check the rest. */
    void pageLimit(long limit);

    /** The largest page a list request may get, of the {@code served} most the store pages at once. */
    int maxPageLimit(int served);

    /** A query that names an {@code id}: whether it may also carry a {@code sparseVector}. */
    void queryById(boolean withSparseVector);

    NamespaceDescription.Builder namespace(NamespaceDescription.Builder b, long records, VectorSpace space);

    /** Whether REST responses carry a namespace's {@code record_count} as a decimal string. */
    boolean countsAsStrings();

    /** The REST answer to a call without a valid API key. */
    HttpResponse unauthorized(String message);

    /**
     * Whether the records operations ({@code /records/namespaces/{namespace}/search} and {@code /upsert})
     * answer errors as {@code ErrorResponse} rather than as the vector operations' {@code rpcStatus}.
     */
    boolean recordsAnswerErrorResponse();

    /** The largest index a search_records {@code sparse_indices} may hold, as the version's spec types it. */
    long maxRecordsSparseIndex();

    /** API 2025-10 and 2026-04: the shared limits only. */
    enum Classic implements DataRules {
        INSTANCE;

        @Override
        public void ids(Collection<String> ids) {}

        @Override
        public void metadataKeys(Map<String, Object> metadata, String what) {}

        @Override
        public void asciiName(String value, String what) {}

        @Override
        public void dense(float[] values, String what) {}

        @Override
        public void stats(DescribeIndexStatsResponse.Builder b) {}

        /** These specs only say serverless indexes do not support it, and the Java SDK's users send one: it is served. */
        @Override
        public void statsFilter(boolean nonEmpty) {}

        /** No maximum in these specs; a page is at most 1000, as the store allows. */
        @Override
        public void pageLimit(long limit) {}

        @Override
        public int maxPageLimit(int served) {
            return served;
        }

        /**
         * These specs make only id and vector exclusive, and the Java SDK's query takes both an id and
         * sparse values: on a dense index the id's values are queried with the sparse ones (hybrid).
         */
        @Override
        public void queryById(boolean withSparseVector) {}

        @Override
        public NamespaceDescription.Builder namespace(NamespaceDescription.Builder b, long records, VectorSpace space) {
            return b;
        }

        @Override
        public boolean countsAsStrings() {
            return false;
        }

        @Override
        public HttpResponse unauthorized(String message) {
            return DataPlaneErrors.json(HttpStatus.UNAUTHORIZED, Status.Code.UNAUTHENTICATED.value(), message);
        }

        /** These specs give the records operations the vector operations' rpcStatus. */
        @Override
        public boolean recordsAnswerErrorResponse() {
            return false;
        }

        /** int32 with a minimum of 0 in these specs (the query's proto takes any uint32). */
        @Override
        public long maxRecordsSparseIndex() {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * API 2026-07: ids and the names of namespace operations are ASCII (no NUL), metadata keys do not
     * begin with {@code $}, a dense vector must have a value of magnitude at least
     * 1e-8, stats take no filter, list pages hold at most 100, a query by id carries no vector of either
     * kind; stats report memory and storage fullness, namespaces their size.
     */
    enum V2026_07 implements DataRules {
        INSTANCE;

        static final float MIN_MAGNITUDE = 1e-8f;
        /** The largest list page (vector ids, namespaces) of this version's spec. */
        static final int MAX_PAGE = 100;

        @Override
        public void ids(Collection<String> ids) {
            for (String id : ids) {
                if (id != null && !id.isEmpty()) asciiName(id, "Vector id"); // the shared limits name the empty case
            }
        }

        /** A key beginning with {@code $} could never be filtered on: the filter grammar reads it as an operator. */
        @Override
        public void metadataKeys(Map<String, Object> metadata, String what) {
            if (metadata == null) return;
            for (String key : metadata.keySet()) {
                if (key.startsWith("$")) {
                    throw ConiferException.invalid("Metadata field '" + key + "' of " + what + " begins with '$', which is reserved"
                            + " for filter operators");
                }
            }
        }

        /** The spec's {@code ^[\x01-\x7F]+$}, for ids too. */
        @Override
        public void asciiName(String value, String what) {
            if (value == null) return;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == 0 || c > 0x7F) {
                    throw ConiferException.invalid(what + " '" + value + "' must consist of ASCII characters (no NUL)");
                }
            }
        }

        @Override
        public void dense(float[] values, String what) {
            if (values == null) return;
            for (float f : values) if (Math.abs(f) >= MIN_MAGNITUDE || !Float.isFinite(f)) return;
            throw ConiferException.invalid("Dense vector of " + what + " contains only zeros: at least one value must have a"
                    + " magnitude of 1e-8 or greater");
        }

        /** One server has no separate memory or storage tier to fill: like on-demand indexes, 0. */
        @Override
        public void stats(DescribeIndexStatsResponse.Builder b) {
            b.setMemoryFullness(0f).setStorageFullness(0f);
        }

        @Override
        public void statsFilter(boolean nonEmpty) {
            if (nonEmpty) {
                throw ConiferException.invalid("describe_index_stats does not take a metadata filter on a serverless index:"
                        + " send no filter (or an empty one), or count matching records with fetch_by_metadata");
            }
        }

        @Override
        public void pageLimit(long limit) {
            if (limit < 1 || limit > MAX_PAGE) {
                throw ConiferException.invalid("limit is " + limit + "; it must be between 1 and " + MAX_PAGE);
            }
        }

        @Override
        public int maxPageLimit(int served) {
            return Math.min(MAX_PAGE, served);
        }

        @Override
        public void queryById(boolean withSparseVector) {
            if (withSparseVector) {
                throw ConiferException.invalid("A query by id cannot also carry a sparseVector: the id names the vector to"
                        + " search with; send either id or vector and/or sparseVector");
            }
        }

        @Override
        public boolean countsAsStrings() {
            return true;
        }

        /** Authentication failures are plain text in 2026-07, with the spec's fixed message. */
        @Override
        public HttpResponse unauthorized(String message) {
            return HttpResponse.of(HttpStatus.UNAUTHORIZED, MediaType.PLAIN_TEXT_UTF_8, "Unauthorized");
        }

        /** ErrorResponse is "the error response shape returned by the records and documents operations". */
        @Override
        public boolean recordsAnswerErrorResponse() {
            return true;
        }

        /** int64 from 0 to 4294967295: the uint32 of the query's proto. */
        @Override
        public long maxRecordsSparseIndex() {
            return 0xFFFF_FFFFL;
        }

        /** Approximate, as the spec allows: the dense payload of the namespace's records. */
        @Override
        public NamespaceDescription.Builder namespace(NamespaceDescription.Builder b, long records, VectorSpace space) {
            return b.setSizeBytes(records * 4L * space.dimension());
        }
    }
}
