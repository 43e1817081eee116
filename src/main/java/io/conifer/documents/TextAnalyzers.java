package io.conifer.documents;

import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.standard.StandardAnalyzer;

/** The analyzer of each full-text field of a schema, keyed by its Lucene field name. */
public final class TextAnalyzers {
    private TextAnalyzers() {}

    /** One analyzer for a writer or query parser: each full-text field's own, words for anything else. */
    public static Analyzer forSchema(IndexSchema schema) {
        Map<String, Analyzer> perField = new HashMap<>();
        schema.fields().forEach((name, field) -> {
            if (field instanceof SchemaField.FullTextString) perField.put(DocumentFields.text(name), new StandardAnalyzer());
        });
        return new PerFieldAnalyzerWrapper(new StandardAnalyzer(), perField);
    }
}
