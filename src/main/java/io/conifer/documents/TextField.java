package io.conifer.documents;

import io.conifer.error.ConiferException;
import io.conifer.index.SchemaField;
import io.conifer.vectors.QueryLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * One full-text field and the queries its text makes: the text is analysed as the field was, so a
 * word matches what it was indexed as. On an n-gram field a query word is matched as a substring of
 * an indexed word: the word itself is one of the indexed n-grams when it is no longer than
 * {@code max_gram}; a longer word needs all of its {@code max_gram}-grams (with {@code prefix_only},
 * its leading one); a word shorter than {@code min_gram} matches nothing.
 */
public record TextField(String name, String luceneField, SchemaField.FullTextSearch options, Analyzer analyzer, Analyzer words) {

    /** A position of analysed text: the terms a match must have there (none: nothing can match), and its source word. */
    public record Position(int position, List<String> terms, String source) {}

    public List<Position> positions(String text) {
        SchemaField.Ngram ngram = options.ngram();
        List<Position> out = new ArrayList<>();
        try (TokenStream ts = (ngram == null ? analyzer : words).tokenStream(luceneField, text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            PositionIncrementAttribute inc = ts.addAttribute(PositionIncrementAttribute.class);
            OffsetAttribute offset = ts.addAttribute(OffsetAttribute.class);
            ts.reset();
            int position = -1;
            while (ts.incrementToken()) {
                position += inc.getPositionIncrement();
                String t = term.toString();
                String source = text.substring(offset.startOffset(), offset.endOffset());
                out.add(new Position(position, ngram == null ? List.of(t) : grams(t, ngram), source));
            }
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static List<String> grams(String word, SchemaField.Ngram ngram) {
        int length = word.codePointCount(0, word.length());
        if (length < ngram.minGram()) return List.of();
        if (length <= ngram.maxGram()) return List.of(word);
        int max = ngram.maxGram();
        if (ngram.prefixOnly()) return List.of(word.substring(0, word.offsetByCodePoints(0, max)));
        List<String> out = new ArrayList<>();
        for (int start = 0; start + max <= length; start++) {
            int from = word.offsetByCodePoints(0, start);
            out.add(word.substring(from, word.offsetByCodePoints(from, max)));
        }
        return out;
    }

    /** Documents with any word of {@code text}, scored by BM25 summed over the words they have. */
    public Query anyWord(String text) {
        return words(text, Occur.SHOULD);
    }

    /** Documents with every word of {@code text}, in any order. */
    public Query allWords(String text) {
        return words(text, Occur.MUST);
    }

    private Query words(String text, Occur occur) {
        List<Position> positions = positions(text);
        if (positions.isEmpty()) return new MatchNoDocsQuery("no words to match in " + name);
        if (positions.size() == 1) return word(positions.get(0));
        if (positions.size() > QueryLimits.maxClauses()) {
            throw ConiferException.invalid("The text for field '" + name + "' has " + positions.size() + " words; at most "
                    + QueryLimits.maxClauses() + " are matched at once");
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Position p : positions) b.add(word(p), occur);
        return b.build();
    }

    private Query word(Position p) {
        if (p.terms().isEmpty()) return new MatchNoDocsQuery("'" + p.source() + "' is shorter than the n-grams of " + name);
        if (p.terms().size() == 1) return new TermQuery(new Term(luceneField, p.terms().get(0)));
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (String t : p.terms()) b.add(new TermQuery(new Term(luceneField, t)), Occur.MUST);
        return b.build();
    }

    /** The words of {@code text} in order, at most {@code slop} moves apart; stop words removed still count as gaps. */
    public Query phrase(String text, int slop) {
        return phrase(positions(text), slop);
    }

    private Query phrase(List<Position> positions, int slop) {
        if (positions.isEmpty()) return new MatchNoDocsQuery("no words to match in " + name);
        if (positions.size() == 1) return word(positions.get(0));
        PhraseQuery.Builder b = new PhraseQuery.Builder().setSlop(slop);
        int first = positions.get(0).position();
        for (Position p : positions) {
            if (p.terms().isEmpty()) return word(p);
            // Several terms at one position must all be there: the n-grams proving a long word.
            for (String t : p.terms()) b.add(new Term(luceneField, t), p.position() - first);
        }
        return b.build();
    }

    /**
     * The words of {@code text} in order, the last one as a prefix of an indexed word (lower-cased,
     * not stemmed: it is unfinished). An n-gram field matches substrings already, so it gets the phrase.
     */
    public Query phrasePrefix(String text) {
        List<Position> positions = positions(text);
        if (positions.isEmpty() || options.ngram() != null) return phrase(positions, 0);
        Position last = positions.get(positions.size() - 1);
        String prefix = analyzer.normalize(luceneField, last.source()).utf8ToString();
        return new PhrasePrefixQuery(luceneField, positions.subList(0, positions.size() - 1), prefix, last.position());
    }
}
