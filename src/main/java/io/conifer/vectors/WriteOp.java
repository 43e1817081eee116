package io.conifer.vectors;

import io.conifer.store.LogFormat;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A logged write. Each is idempotent and self-contained (an update is logged as the full record it
 * produced), so replaying a suffix of the log over a commit that already holds part of it converges
 * to the acknowledged state.
 */
sealed interface WriteOp {
    record Upsert(String namespace, List<VectorRecord> records) implements WriteOp {}

    record DeleteIds(String namespace, List<String> ids) implements WriteOp {}

    record DeleteFilter(String namespace, Map<String, Object> filter) implements WriteOp {}

    record DeleteNamespace(String namespace) implements WriteOp {}

    /**
     * Makes a namespace exist before it holds records (create_namespace), with the metadata fields its
     * schema declares filterable (null: no schema).
     */
    record DeclareNamespace(String namespace, List<String> filterableFields) implements WriteOp {}

    byte UPSERT = 1, DELETE_IDS = 2, DELETE_FILTER = 3, DELETE_NAMESPACE = 4, DECLARE_NAMESPACE = 5;

    static byte[] encode(WriteOp op) {
        return LogFormat.record(expectedBytes(op), out -> {
            switch (op) {
                case Upsert u -> {
                    LogFormat.writeHeader(out, UPSERT, u.namespace());
                    out.writeInt(u.records().size());
                    for (VectorRecord r : u.records()) writeRecord(out, r);
                }
                case DeleteIds d -> {
                    LogFormat.writeHeader(out, DELETE_IDS, d.namespace());
                    LogFormat.writeStrings(out, d.ids());
                }
                case DeleteFilter f -> {
                    LogFormat.writeHeader(out, DELETE_FILTER, f.namespace());
                    LogFormat.writeBytes(out, Metadata.toJson(f.filter()));
                }
                case DeleteNamespace n -> {
                    LogFormat.writeHeader(out, DELETE_NAMESPACE, n.namespace());
                }
                case DeclareNamespace n -> {
                    LogFormat.writeHeader(out, DECLARE_NAMESPACE, n.namespace());
                    // Appended, so that records logged before schemas existed still decode.
                    if (n.filterableFields() != null) {
                        out.writeInt(n.filterableFields().size());
                        for (String f : n.filterableFields()) out.writeUTF(f);
                    }
                }
            }
        });
    }

    /** About the size of an upsert's record (its metadata aside), so large batches are encoded without regrowing. */
    private static int expectedBytes(WriteOp op) {
        if (!(op instanceof Upsert u)) return 256;
        long bytes = 256;
        for (VectorRecord r : u.records()) {
            bytes += 32 + 3L * r.id().length();
            if (r.values() != null) bytes += 4L * r.values().length;
            if (r.sparse() != null) bytes += 8L * r.sparse().indices().length;
        }
        return (int) Math.min(bytes, Integer.MAX_VALUE - 8);
    }

    static WriteOp decode(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        byte type = in.readByte();
        String ns = in.readUTF();
        return switch (type) {
            case UPSERT -> {
                int n = in.readInt();
                List<VectorRecord> records = new ArrayList<>(n);
                for (int i = 0; i < n; i++) records.add(readRecord(in));
                yield new Upsert(ns, records);
            }
            case DELETE_IDS -> new DeleteIds(ns, LogFormat.readStrings(in));
            case DELETE_FILTER -> {
                byte[] json = LogFormat.readBytes(in);
                yield new DeleteFilter(ns, Metadata.fromJson(json, 0, json.length));
            }
            case DELETE_NAMESPACE -> new DeleteNamespace(ns);
            case DECLARE_NAMESPACE -> {
                List<String> fields = null;
                if (in.available() > 0) {
                    int n = in.readInt();
                    fields = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) fields.add(in.readUTF());
                }
                yield new DeclareNamespace(ns, fields);
            }
            default -> throw new IOException("Unknown write-ahead log record type " + type);
        };
    }

    private static void writeRecord(DataOutputStream out, VectorRecord r) throws IOException {
        out.writeUTF(r.id());
        float[] v = r.values();
        out.writeInt(v == null ? -1 : v.length);
        if (v != null) LogFormat.writeFloats(out, v);
        SparseVector s = r.sparse();
        out.writeInt(s == null ? -1 : s.indices().length);
        if (s != null) {
            for (int i : s.indices()) out.writeInt(i);
            LogFormat.writeFloats(out, s.values());
        }
        LogFormat.writeBytes(out, r.metadata() == null ? null : Metadata.toJson(r.metadata()));
    }

    private static VectorRecord readRecord(DataInputStream in) throws IOException {
        String id = in.readUTF();
        int dim = in.readInt();
        float[] values = dim >= 0 ? LogFormat.readFloats(in, dim) : null;
        int nnz = in.readInt();
        SparseVector sparse = null;
        if (nnz >= 0) {
            int[] idx = new int[nnz];
            for (int i = 0; i < nnz; i++) idx[i] = in.readInt();
            float[] vals = LogFormat.readFloats(in, nnz);
            sparse = new SparseVector(idx, vals);
        }
        byte[] meta = LogFormat.readBytes(in);
        return new VectorRecord(id, values, sparse, meta == null ? null : Metadata.fromJson(meta, 0, meta.length));
    }
}
