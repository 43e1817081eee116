package io.conifer.documents;

import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.standard.StandardTokenizer;

/**
 * The analyzer of each full-text field of a schema, keyed by its Lucene field name; docs/TEXT_SEARCH.md
 * has the table. Every field splits words at Unicode word boundaries (UAX #29) and lower-cases them as
 * its language does; a stemmed field is then Lucene's analyzer of its language (with its stop words
 * when {@code stop_words}), an n-gram field indexes the character n-grams of each word.
 */
public final class TextAnalyzers {
    private TextAnalyzers() {}

    /** One analyzer for a writer or query parser: each full-text field's own, words for anything else. */
    public static Analyzer forSchema(IndexSchema schema) {
        return perField(TextFields.of(schema).all());
    }

    static Analyzer perField(Collection<TextField> fields) {
        Map<String, Analyzer> perField = new HashMap<>();
        fields.forEach(f -> perField.put(f.luceneField(), f.analyzer()));
        return new PerFieldAnalyzerWrapper(new StandardAnalyzer(), perField);
    }

    /** The analyzer a field with these options indexes with; its language must be one {@link TextLanguage} knows. */
    static Analyzer forField(SchemaField.FullTextSearch options) {
        TextLanguage language = language(options);
        SchemaField.Ngram ngram = options.ngram();
        if (ngram != null) return new NgramAnalyzer(language, ngram);
        if (options.stemming()) return language.stemming(options.stopWords());
        return words(language);
    }

    static TextLanguage language(SchemaField.FullTextSearch options) {
        TextLanguage language = TextLanguage.of(options.language());
        if (language == null) throw new IllegalArgumentException("unsupported language " + options.language());
        return language;
    }

    /** Words, lower-cased as the language does: a field without stemming, and how n-gram queries find words. */
    static Analyzer words(TextLanguage language) {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer source = new StandardTokenizer();
                return new TokenStreamComponents(source, language.lowerCase(source));
            }

            @Override
            protected TokenStream normalize(String fieldName, TokenStream in) {
                return language.lowerCase(in);
            }
        };
    }

    /** Every n-gram of each lower-cased word (or, {@code prefix_only}, its leading ones), at the word's position. */
    private static final class NgramAnalyzer extends Analyzer {
        private final TextLanguage language;
        private final SchemaField.Ngram ngram;

        NgramAnalyzer(TextLanguage language, SchemaField.Ngram ngram) {
            this.language = language;
            this.ngram = ngram;
        }

        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            Tokenizer source = new StandardTokenizer();
            TokenStream words = language.lowerCase(source);
            TokenStream grams = ngram.prefixOnly()
                    ? new EdgeNGramTokenFilter(words, ngram.minGram(), ngram.maxGram(), false)
                    : new NGramTokenFilter(words, ngram.minGram(), ngram.maxGram(), false);
            return new TokenStreamComponents(source, grams);
        }

        @Override
        protected TokenStream normalize(String fieldName, TokenStream in) {
            return language.lowerCase(in);
        }
    }
}
