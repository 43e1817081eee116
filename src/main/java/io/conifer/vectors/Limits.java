package io.conifer.vectors;

import io.conifer.error.ConiferException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/** Pinecone's data-plane limits and the checks that enforce them, each naming the limit it applies. */
public final class Limits {
    public static final int MAX_UPSERT_VECTORS = 1000;
    public static final int MAX_DELETE_IDS = 1000;
    public static final int MAX_FETCH_IDS = 1000;
    public static final int MAX_ID_LENGTH = 512;
    public static final int MAX_SPARSE_NON_ZEROS = 2048;
    public static final int MAX_TOP_K = 10_000;
    public static final int MAX_REQUEST_BYTES = 2 * 1024 * 1024;
    public static final int MAX_NAMESPACE_LENGTH = 512;
    /** The most fields a metadata schema (an index's or a namespace's) may declare: the spec's maxProperties. */
    public static final int MAX_SCHEMA_FIELDS = 50;

    private Limits() {}

    public static String namespace(String ns) {
        if (ns == null || ns.equals("__default__")) return "";
        if (ns.length() > MAX_NAMESPACE_LENGTH) {
            throw ConiferException.invalid("Namespace is " + ns.length() + " characters; the maximum is "
                    + MAX_NAMESPACE_LENGTH);
        }
        if (ns.indexOf('\u0000') >= 0) throw ConiferException.invalid("Namespace must not contain NUL characters");
        return ns;
    }

    /**
     * A namespace a write may create. It must also be addressable in REST paths
     * ({@code /namespaces/{namespace}}), where a {@code .} or {@code ..} segment between slashes or
     * backslashes (or a {@code ..;} one) is refused as path traversal before any service sees it, or
     * removed by clients that normalise URLs; so such a namespace is refused here, for gRPC too.
     */
    public static String newNamespace(String ns) {
        String name = namespace(ns);
        for (String segment : name.split("[/\\\\]", -1)) {
            if (segment.equals(".") || segment.equals("..") || segment.startsWith("..;")) {
                throw ConiferException.invalid("Namespace '" + ns + "' has a '" + segment + "' path segment, which REST"
                        + " paths such as /namespaces/{namespace} cannot carry; use a name without '.' or '..' between"
                        + " slashes or backslashes");
            }
        }
        return name;
    }

    /** The name of a namespace create_namespace makes: any new namespace's, and not the default one, which always exists. */
    public static String createdNamespace(String ns) {
        String name = newNamespace(ns);
        if (name.isEmpty()) throw ConiferException.invalid("Namespace name must not be empty or '__default__'");
        return name;
    }

    /** How many fields a metadata schema declares: at most {@link #MAX_SCHEMA_FIELDS}. */
    public static void schemaFieldCount(int n) {
        if (n > MAX_SCHEMA_FIELDS) {
            throw ConiferException.invalid("A metadata schema may declare at most " + MAX_SCHEMA_FIELDS + " fields; this one declares " + n);
        }
    }

    /**
     * A field a metadata schema names: non-empty, and not an operator ('$...'). Names starting with '_',
     * which the 2026-07 spec reserves at index creation, are served: only API 2025-10 and 2026-04 create an
     * index with a metadata schema, and their specs reserve nothing.
     */
    public static void schemaField(String name) {
        if (name.isEmpty() || name.startsWith("$")) throw ConiferException.invalid("Invalid schema field name '" + name + "'");
    }

    /** A schema field's {@code filterable}, which must be true; absent or null counts as false, refused in the spec's words. */
    public static void schemaFilterable(String name, boolean filterable) {
        if (!filterable) {
            throw ConiferException.invalid("Field '" + name + "' is set to filterable: false. Only filterable: true is supported.");
        }
    }

    public static void id(String id) {
        if (id == null || id.isEmpty()) throw ConiferException.invalid("Vector id must be a non-empty string");
        if (id.indexOf('\u0000') >= 0) throw ConiferException.invalid("Vector id must not contain NUL characters");
        if (id.length() > MAX_ID_LENGTH) {
            throw ConiferException.invalid("Vector id '" + id.substring(0, 32) + "...' is " + id.length()
                    + " characters; the maximum id length is " + MAX_ID_LENGTH);
        }
    }

    public static void count(String what, int n, int max) {
        if (n < 1) throw ConiferException.invalid("The request must contain at least one " + what);
        if (n > max) {
            throw ConiferException.invalid("The request contains " + n + " " + what + "s; the maximum per request is " + max);
        }
    }

    public static void topK(int topK) {
        if (topK < 1 || topK > MAX_TOP_K) {
            throw ConiferException.invalid("topK is " + topK + "; it must be between 1 and " + MAX_TOP_K);
        }
    }

    /** Checks a record against the index's space and returns it with normalised sparse values and metadata. */
    public static VectorRecord record(VectorRecord r, VectorSpace space) {
        id(r.id());
        float[] values = r.values() != null && r.values().length == 0 ? null : r.values();
        SparseVector sparse = sparse(r.sparse(), "record '" + r.id() + "'");
        if (space.isSparse()) {
            if (values != null) {
                throw ConiferException.invalid("Record '" + r.id()
                        + "' has dense values, but this is a sparse index: send sparseValues only");
            }
            if (sparse == null) {
                throw ConiferException.invalid("Record '" + r.id() + "' has no sparseValues; a sparse index needs them");
            }
        } else {
            if (values == null) {
                throw ConiferException.invalid("Record '" + r.id() + "' has no values; a dense index of dimension "
                        + space.dimension() + " needs them");
            }
            dense(values, space, "record '" + r.id() + "'");
            if (sparse != null && space.metric() != Metric.DOTPRODUCT) {
                throw ConiferException.invalid("Record '" + r.id()
                        + "' has sparseValues; a dense index accepts them only with the dotproduct metric");
            }
        }
        Map<String, Object> metadata = Metadata.normalise(r.metadata(), r.id());
        return new VectorRecord(r.id(), values, sparse, metadata);
    }

    public static void dense(float[] values, VectorSpace space, String what) {
        if (values.length != space.dimension()) {
            throw ConiferException.invalid("Vector dimension " + values.length + " does not match the dimension of the index "
                    + space.dimension() + " (" + what + ")");
        }
        boolean nonZero = false;
        for (float f : values) {
            if (!Float.isFinite(f)) throw ConiferException.invalid("Vector values must be finite numbers (" + what + ")");
            nonZero |= f != 0f;
        }
        if (!nonZero && space.metric() == Metric.COSINE) {
            throw ConiferException.invalid("Dense vectors must contain at least one non-zero value for the cosine metric ("
                    + what + ")");
        }
    }

    /** Validates a sparse vector and sorts it by index; null stays null. */
    public static SparseVector sparse(SparseVector s, String what) {
        if (s == null) return null;
        int n = s.indices().length;
        if (n != s.values().length) {
            throw ConiferException.invalid("Sparse vector of " + what + " has " + n + " indices but "
                    + s.values().length + " values; they must be the same length");
        }
        if (n == 0) return null;
        if (n > MAX_SPARSE_NON_ZEROS) {
            throw ConiferException.invalid("Sparse vector of " + what + " has " + n + " non-zero values; the maximum is "
                    + MAX_SPARSE_NON_ZEROS);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compareUnsigned(s.indices()[a], s.indices()[b]));
        int[] idx = new int[n];
        float[] vals = new float[n];
        for (int i = 0; i < n; i++) {
            idx[i] = s.indices()[order[i]];
            vals[i] = s.values()[order[i]];
            if (!Float.isFinite(vals[i])) throw ConiferException.invalid("Sparse values must be finite numbers (" + what + ")");
            if (i > 0 && idx[i] == idx[i - 1]) {
                throw ConiferException.invalid("Sparse vector of " + what + " repeats index "
                        + Integer.toUnsignedString(idx[i]));
            }
        }
        return new SparseVector(idx, vals);
    }

    public static void ids(Collection<String> ids, String what, int max) {
        count(what, ids.size(), max);
        for (String id : ids) id(id);
    }
}
