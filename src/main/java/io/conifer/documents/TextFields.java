package io.conifer.documents;

import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;

/**
 * The full-text fields of a schema with their analyzers, built once per schema: analyzers are
 * thread-safe and hold per-thread token streams, so searches reuse them instead of building new ones.
 */
public final class TextFields {
    private static final int CACHED_SCHEMAS = 64;
    private static final Map<IndexSchema, TextFields> CACHE = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<IndexSchema, TextFields> eldest) {
                    return size() > CACHED_SCHEMAS;
                }
            });

    private final Map<String, TextField> byName;
    private final Analyzer analyzer;

    private TextFields(IndexSchema schema) {
        Map<String, TextField> fields = new LinkedHashMap<>();
        schema.fields().forEach((name, f) -> {
            if (f instanceof SchemaField.FullTextString t) {
                SchemaField.FullTextSearch options = t.fullTextSearch();
                fields.put(name, new TextField(name, DocumentFields.text(name), options,
                        TextAnalyzers.forField(options), TextAnalyzers.words(TextAnalyzers.language(options))));
            }
        });
        this.byName = Collections.unmodifiableMap(fields);
        this.analyzer = TextAnalyzers.perField(byName.values());
    }

    public static TextFields of(IndexSchema schema) {
        return CACHE.computeIfAbsent(schema, TextFields::new);
    }

    /** The full-text field of that name, or null when the schema has none such. */
    public TextField field(String name) {
        return byName.get(name);
    }

    public Collection<TextField> all() {
        return byName.values();
    }

    /** Each field's analyzer under its Lucene field name, shared by every search of the schema. */
    Analyzer analyzer() {
        return analyzer;
    }
}
