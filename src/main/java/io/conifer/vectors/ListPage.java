package io.conifer.vectors;

import java.util.List;

/** One page of ids in bitwise order; {@code next} is null on the last page. */
public record ListPage(List<String> ids, String next) {}
