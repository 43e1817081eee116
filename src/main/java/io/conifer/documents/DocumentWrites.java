package io.conifer.documents;

import io.conifer.store.RecordFields;
import io.conifer.store.RecordShape;
import java.io.IOException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;

/** Documents as a record shape of the storage engine: their logged ops and how each is applied. */
final class DocumentWrites implements RecordShape<DocumentOp> {
    private final DocumentJson json;
    private final DocumentLayout layout;

    DocumentWrites(DocumentJson json, DocumentLayout layout) {
        this.json = json;
        this.layout = layout;
    }

    @Override
    public byte[] encode(DocumentOp op) {
        return DocumentOp.encode(op);
    }

    @Override
    public DocumentOp decode(byte[] payload) throws IOException {
        return DocumentOp.decode(payload, json);
    }

    @Override
    public void apply(IndexWriter writer, DocumentOp op) throws IOException {
        switch (op) {
            case DocumentOp.Upsert u -> {
                for (int i = 0; i < u.documents().size(); i++) {
                    DocumentRecord d = u.documents().get(i);
                    writer.updateDocument(RecordFields.keyTerm(u.namespace(), d.id()), layout.toDocument(u.namespace(), d, u.sources().get(i)));
                }
            }
            case DocumentOp.DeleteIds d -> writer.deleteDocuments(RecordFields.keyTerms(d.namespace(), d.ids()));
            case DocumentOp.DeleteAll a -> writer.deleteDocuments(new Term(RecordFields.NAMESPACE, a.namespace()));
            // Documents' metadata is always indexed whole (the spec), so their namespaces have no schema.
            case DocumentOp.DeclareNamespace d -> RecordFields.declareNamespace(writer, d.namespace(), null);
            case DocumentOp.DeleteNamespace d -> RecordFields.deleteNamespace(writer, d.namespace());
        }
    }
}
