package org.cogview2.dataset.emoji;

import java.util.List;

/**
 * The data set's {@code NOTICE}: every source with its version, checksum and licence, the attribution each licence
 * asks for, and what was changed (CC-BY 4.0 and Apache-2.0 both ask that changes be stated).
 */
final class NoticeFile {

    private static final String MIT_TEXT = """
            Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
            documentation files (the "Software"), to deal in the Software without restriction, including without
            limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the
            Software, and to permit persons to whom the Software is furnished to do so, subject to the following
            conditions:

            The above copyright notice and this permission notice shall be included in all copies or substantial portions
            of the Software.

            THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED
            TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL
            THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
            CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
            DEALINGS IN THE SOFTWARE.
            """;

    private NoticeFile() {
    }

    static String text(List<SourceCredit> credits, int[] sizes) {
        StringBuilder b = new StringBuilder();
        b.append("CogView2 emoji text-image data set\n");
        b.append("==================================\n\n");
        b.append("This data set pairs emoji pictures with their English and Chinese names and keywords. It is made from\n");
        b.append("the following packages of the npm registry, each pinned by version and sha512 checksum. The pictures\n");
        b.append("were changed: each SVG was rasterised to PNG at ");
        for (int i = 0; i < sizes.length; i++) {
            b.append(i == 0 ? "" : " and ").append(sizes[i]).append('x').append(sizes[i]);
        }
        b.append(" pixels, scaled to fit and\ncentred, over a white background. Captions were joined from the English and Chinese data by emoji.\n\n");
        boolean anyMit = false;
        for (SourceCredit c : credits) {
            b.append(c.role()).append(c.style() == null ? "" : " (" + c.style() + ")").append(": ")
                    .append(c.pkg().spec()).append('\n');
            b.append("  checksum: ").append(c.pkg().integrity()).append('\n');
            b.append("  licence of the content used: ").append(c.contentLicense())
                    .append(" (package.json: ").append(c.pkg().license()).append(")\n");
            b.append("  ").append(c.copyright()).append('\n');
            b.append("  upstream: ").append(c.url()).append("\n\n");
            anyMit |= c.contentLicense().equals("MIT") || c.pkg().license().equals("MIT");
        }
        if (anyMit) {
            b.append("Text of the MIT License, under which the MIT sources above are used (their copyright lines are above):\n\n");
            b.append(MIT_TEXT).append('\n');
        }
        b.append("CC-BY-4.0: https://creativecommons.org/licenses/by/4.0/legalcode\n");
        b.append("Apache-2.0: https://www.apache.org/licenses/LICENSE-2.0.txt\n");
        return b.toString();
    }
}
