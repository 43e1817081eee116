package io.conifer.documents;

import io.conifer.error.ConiferException;
import io.conifer.store.LogFormat;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A logged write of a document index. Each is idempotent and self-contained: a patch (by id or by
 * filter) is logged as the whole documents it produced, a delete by filter as the ids it matched, so
 * replay needs neither the documents' earlier state nor the filter language.
 */
sealed interface DocumentOp {
    /** {@code sources}: each document's JSON (see {@link DocumentJson}), made once for the log and the index. */
    record Upsert(String namespace, List<DocumentRecord> documents, List<byte[]> sources) implements DocumentOp {
        /** The spec's bound on one document: an upsert is held to it by the request limit, an update is checked. */
        static final int MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

        static Upsert of(String namespace, List<DocumentRecord> documents, DocumentJson json) {
            List<byte[]> sources = new ArrayList<>(documents.size());
            for (DocumentRecord d : documents) sources.add(json.write(d.fields()));
            return new Upsert(namespace, documents, sources);
        }

        /** Documents as updates left them, each refused if it grew past {@link #MAX_DOCUMENT_BYTES}. */
        static Upsert patched(String namespace, List<DocumentRecord> documents, DocumentJson json) {
            List<byte[]> sources = new ArrayList<>(documents.size());
            for (DocumentRecord d : documents) sources.add(patchedSource(d, json));
            return new Upsert(namespace, documents, sources);
        }

        /** The source of one document as an update left it, refused if it grew past {@link #MAX_DOCUMENT_BYTES}. */
        static byte[] patchedSource(DocumentRecord document, DocumentJson json) {
            byte[] source = json.write(document.fields());
            if (source.length > MAX_DOCUMENT_BYTES) {
                throw ConiferException.invalid("The update would make document '" + document.id() + "' "
                        + source.length + " bytes; a document holds at most " + MAX_DOCUMENT_BYTES + " (2 MB)");
            }
            return source;
        }
    }

    record DeleteIds(String namespace, List<String> ids) implements DocumentOp {}

    /** Every document of a namespace; a namespace created explicitly stays. */
    record DeleteAll(String namespace) implements DocumentOp {}

    /** Makes a namespace exist before it holds documents (create_namespace). */
    record DeclareNamespace(String namespace) implements DocumentOp {}

    /** Every document of a namespace, and the namespace itself. */
    record DeleteNamespace(String namespace) implements DocumentOp {}

    // Apart from the vector records' kinds (1-5), so a log is never read as the other shape's.
    byte UPSERT = 16, DELETE_IDS = 17, DELETE_ALL = 18, DECLARE_NAMESPACE = 19, DELETE_NAMESPACE = 20;

    static byte[] encode(DocumentOp op) {
        return LogFormat.record(out -> {
            switch (op) {
                case Upsert u -> {
                    LogFormat.writeHeader(out, UPSERT, u.namespace());
                    out.writeInt(u.documents().size());
                    for (int i = 0; i < u.documents().size(); i++) {
                        out.writeUTF(u.documents().get(i).id());
                        LogFormat.writeBytes(out, u.sources().get(i));
                    }
                }
                case DeleteIds d -> {
                    LogFormat.writeHeader(out, DELETE_IDS, d.namespace());
                    LogFormat.writeStrings(out, d.ids());
                }
                case DeleteAll a -> LogFormat.writeHeader(out, DELETE_ALL, a.namespace());
                case DeclareNamespace d -> LogFormat.writeHeader(out, DECLARE_NAMESPACE, d.namespace());
                case DeleteNamespace d -> LogFormat.writeHeader(out, DELETE_NAMESPACE, d.namespace());
            }
        });
    }

    static DocumentOp decode(byte[] payload, DocumentJson json) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        byte type = in.readByte();
        String ns = in.readUTF();
        return switch (type) {
            case UPSERT -> {
                int n = in.readInt();
                List<DocumentRecord> docs = new ArrayList<>(n);
                List<byte[]> sources = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String id = in.readUTF();
                    byte[] source = LogFormat.readBytes(in);
                    docs.add(new DocumentRecord(id, json.read(source, 0, source.length)));
                    sources.add(source);
                }
                yield new Upsert(ns, docs, sources);
            }
            case DELETE_IDS -> new DeleteIds(ns, LogFormat.readStrings(in));
            case DELETE_ALL -> new DeleteAll(ns);
            case DECLARE_NAMESPACE -> new DeclareNamespace(ns);
            case DELETE_NAMESPACE -> new DeleteNamespace(ns);
            default -> throw new IOException("Unknown document log record type " + type);
        };
    }
}
