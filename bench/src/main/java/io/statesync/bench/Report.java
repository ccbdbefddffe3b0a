/*
 * Copyright 2026 The statesync developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package io.statesync.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Writes the Markdown report, the raw CSV and the chart of ratios. */
final class Report {
    private Report() {}

    static void write(Path dir, List<Results> all, String header) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.md"), markdown(all, header));
        Files.writeString(dir.resolve("results.csv"), csv(all));
        chart(all, dir.resolve("ratios.png"));
    }

    static String markdown(List<Results> all, String header) {
        StringBuilder md = new StringBuilder(header).append("\n\n");
        md.append("## Ratios (statesync / reference, primary figure, medians)\n\n");
        md.append("| workload | figure | reference | statesync | reference value | ratio | better is | target |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (Results r : all) {
            Comparison c = r.comparison;
            for (String ref : r.references()) {
                md.append("| ")
                        .append(c.title())
                        .append(" | ")
                        .append(c.primary())
                        .append(" | ")
                        .append(ref)
                        .append(" | ")
                        .append(num(r.median(r.statesync(), c.primary())))
                        .append(" | ")
                        .append(num(r.median(ref, c.primary())))
                        .append(" | ")
                        .append(num(r.ratio(ref)))
                        .append("× | ")
                        .append(c.higherIsBetter() ? "higher" : "lower")
                        .append(" | ")
                        .append(c.target().isEmpty() ? "—" : c.target())
                        .append(" |\n");
            }
        }
        md.append("\n## Every figure (median, min–max over the repetitions)\n");
        for (Results r : all) {
            md.append("\n### ").append(r.comparison.title()).append("\n\n");
            List<String> subjects = new ArrayList<>(r.samples.keySet());
            md.append("| figure |");
            subjects.forEach(s -> md.append(' ').append(s).append(" |"));
            md.append("\n|---|");
            subjects.forEach(s -> md.append("---|"));
            md.append('\n');
            for (String figure : r.figures()) {
                md.append("| ").append(figure).append(" |");
                for (String s : subjects) {
                    List<Double> v = r.values(s, figure);
                    md.append(' ');
                    if (v.isEmpty()) {
                        md.append('—');
                    } else {
                        md.append(num(r.median(s, figure)))
                                .append(" (")
                                .append(num(r.min(s, figure)))
                                .append("–")
                                .append(num(r.max(s, figure)))
                                .append(')');
                    }
                    md.append(" |");
                }
                md.append('\n');
            }
            r.failures.forEach((s, e) ->
                    md.append("\n**").append(s).append(" failed:** ").append(e).append('\n'));
        }
        return md.toString();
    }

    static String csv(List<Results> all) {
        StringBuilder csv = new StringBuilder("workload,subject,repetition,figure,value\n");
        for (Results r : all) {
            r.samples.forEach((subject, samples) -> {
                for (int i = 0; i < samples.size(); i++) {
                    int rep = i + 1;
                    samples.get(i)
                            .figures()
                            .forEach((figure, value) -> csv.append(r.comparison.id())
                                    .append(',')
                                    .append(quote(subject))
                                    .append(',')
                                    .append(rep)
                                    .append(',')
                                    .append(quote(figure))
                                    .append(',')
                                    .append(String.format(Locale.ROOT, "%.6f", value))
                                    .append('\n'));
                }
            });
        }
        return csv.toString();
    }

    /** One bar of the chart: a like-for-like ratio, green where statesync does at least as well. */
    record Bar(String label, double ratio, boolean good) {}

    /**
     * The chart's bars: every finite ratio against a like-for-like reference. A reference that does
     * other work (a second reference, labelled "not like for like") stays in the ratios table only.
     */
    static List<Bar> bars(List<Results> all) {
        List<Bar> bars = new ArrayList<>();
        for (Results r : all) {
            for (String ref : r.references()) {
                double ratio = r.ratio(ref);
                if (Double.isFinite(ratio) && r.likeForLike(ref)) {
                    bars.add(new Bar(r.comparison.title() + " vs " + ref, ratio, r.statesyncAtLeastAsGood(ref)));
                }
            }
        }
        return bars;
    }

    /**
     * The results a run wrote to its CSV, for the comparisons it names (by id; the first definition
     * of an id wins), in the CSV's order.
     *
     * @throws IllegalArgumentException if the CSV names a workload none of the comparisons has
     */
    static List<Results> fromCsv(Path csv, List<Comparison> comparisons) throws IOException {
        Map<String, Comparison> byId = new LinkedHashMap<>();
        comparisons.forEach(c -> byId.putIfAbsent(c.id(), c));
        Map<String, Results> out = new LinkedHashMap<>();
        Map<String, Sample> rows = new LinkedHashMap<>(); // workload, subject and repetition -> sample
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = csvFields(line);
            Comparison c = byId.get(f.get(0));
            if (c == null) {
                throw new IllegalArgumentException("no workload " + f.get(0) + " in this bench, named in " + csv);
            }
            Results r = out.computeIfAbsent(c.id(), id -> new Results(c));
            String key = f.get(0) + '\n' + f.get(1) + '\n' + f.get(2);
            Sample s = rows.get(key);
            if (s == null) {
                s = new Sample();
                rows.put(key, s);
                r.add(f.get(1), s);
            }
            s.put(f.get(3), Double.parseDouble(f.get(4)));
        }
        return new ArrayList<>(out.values());
    }

    /** One line of the CSV {@link #csv} writes, split into its fields (quoted fields unquoted). */
    static List<String> csvFields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    static void chart(List<Results> all, Path file) throws IOException {
        List<Bar> bars = bars(all);
        int rowHeight = 26;
        int labelWidth = 560;
        int plotWidth = 420;
        int width = labelWidth + plotWidth + 90;
        int height = 75 + rowHeight * Math.max(1, bars.size());
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("statesync / reference (primary figure; green = statesync at least as good)", 10, 22);
        // Log scale centred on 1.0, so that 0.5x and 2x are the same distance from parity.
        double lo = Math.log(
                Math.min(0.25, bars.stream().mapToDouble(Bar::ratio).min().orElse(1.0)));
        double hi = Math.log(
                Math.max(4.0, bars.stream().mapToDouble(Bar::ratio).max().orElse(1.0)));
        double scale = plotWidth / (hi - lo);
        int one = labelWidth + (int) ((0 - lo) * scale);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int y = 45;
        for (Bar b : bars) {
            g.setColor(Color.DARK_GRAY);
            g.drawString(b.label(), 10, y + 16);
            g.setColor(b.good() ? new Color(46, 139, 87) : new Color(200, 60, 60));
            int x = labelWidth + (int) ((Math.log(b.ratio()) - lo) * scale);
            int left = Math.min(one, x);
            g.fillRect(left, y + 4, Math.max(1, Math.abs(x - one)), rowHeight - 8);
            g.setColor(Color.BLACK);
            g.drawString(num(b.ratio()) + "×", Math.max(one, x) + 6, y + 16);
            y += rowHeight;
        }
        g.setColor(Color.BLUE);
        g.setStroke(new BasicStroke(1.5f));
        g.drawLine(one, 35, one, height - 14);
        g.drawString("1.0 (log scale)", one - 30, height - 2);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "—";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
