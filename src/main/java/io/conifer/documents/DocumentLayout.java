package io.conifer.documents;

import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import io.conifer.store.RecordFields;
import io.conifer.vectors.MetadataFields;
import io.conifer.vectors.MetadataIndexing;
import io.conifer.vectors.RecordLayout;
import io.conifer.vectors.SparseVector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;

/**
 * The Lucene document of a document record: the shared key/namespace/id fields, each schema field in
 * its {@link DocumentFields} field (text analysed by the writer's {@link TextAnalyzers}), every other
 * field indexed as filterable metadata like a vector record's, and the whole document as stored JSON.
 */
final class DocumentLayout {
    private final IndexSchema schema;

    DocumentLayout(IndexSchema schema) {
        this.schema = schema;
    }

    /** {@code source}: the document's fields as {@link DocumentJson} wrote them. */
    Document toDocument(String namespace, DocumentRecord d, byte[] source) {
        Document doc = RecordFields.identified(namespace, d.id());
        Map<String, Object> metadata = new LinkedHashMap<>();
        d.fields().forEach((name, value) -> {
            switch (schema.fields().get(name)) {
                case SchemaField.FullTextString t -> doc.add(new TextField(DocumentFields.text(name), (String) value, Field.Store.NO));
                case SchemaField.DenseVector v -> doc.add(new KnnFloatVectorField(DocumentFields.dense(name), (float[]) value,
                        v.metric().similarity()));
                case SchemaField.SparseVector s -> RecordLayout.addSparse(doc, DocumentFields.sparse(name),
                        DocumentFields.sparseTerms(name), (SparseVector) value);
                case null, default -> metadata.put(name, value);
            }
        });
        if (!metadata.isEmpty()) MetadataFields.index(doc, metadata, MetadataIndexing.ALL);
        doc.add(new StoredField(DocumentFields.SOURCE, source));
        return doc;
    }
}
