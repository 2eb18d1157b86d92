package org.cogview2.dataset.emoji;

import org.cogview2.dataset.npm.NpmPackage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Small inputs in the shape of the real ones, written into a folder: emojibase-style {@code en/data.json} and
 * {@code zh/data.json}, a Twemoji-style folder of SVGs and an Iconify-style {@code icons.json} + {@code chars.json}.
 *
 * <p>Emojibase entries: tiger face (1F42F, train), sneezing face (1F927, held out by the split rule), waving hand
 * (1F44B, with two skin-tone variants), red heart (2764-FE0F), a skin-tone component (1F3FB), a regional indicator
 * (1F1E6), and a rocket (1F680) that has no Chinese label.
 * Twemoji-style folder: tiger, sneezing face, waving hand, and a red heart whose SVG is malformed.
 * Iconify-style set: tiger (found through chars.json), sneezing face (found by its kebab-case name, through an
 * alias), no waving hand, red heart (by chars.json without FE0F).
 */
final class TinyEmojiSet {

    static final NpmPackage FAKE_PACKAGE = new NpmPackage("tiny-emoji", "1.0.0",
            "sha512-" + java.util.Base64.getEncoder().encodeToString(new byte[64]), "MIT");

    private TinyEmojiSet() {
    }

    static final String EN = """
            [
              {"label": "regional indicator A", "hexcode": "1F1E6", "emoji": "🇦", "type": 1, "version": 0},
              {"label": "tiger face", "hexcode": "1F42F", "tags": ["animal", "tiger"], "group": 3, "order": 1},
              {"label": "sneezing face", "hexcode": "1F927", "tags": ["face", "sneeze"], "group": 0, "order": 2},
              {"label": "waving hand", "hexcode": "1F44B", "tags": ["hand", "wave"], "group": 1, "order": 3,
               "skins": [{"label": "waving hand: light skin tone", "hexcode": "1F44B-1F3FB", "tone": 1},
                         {"label": "waving hand: dark skin tone", "hexcode": "1F44B-1F3FF", "tone": 5}]},
              {"label": "red heart", "hexcode": "2764-FE0F", "tags": ["heart"], "group": 0, "order": 4},
              {"label": "light skin tone", "hexcode": "1F3FB", "group": 2, "order": 5},
              {"label": "rocket", "hexcode": "1F680", "tags": ["space"], "group": 5, "order": 6}
            ]
            """;

    static final String ZH = """
            [
              {"label": "区域指示符 A", "hexcode": "1F1E6"},
              {"label": "老虎头", "hexcode": "1F42F", "tags": ["老虎", "脸"], "group": 3},
              {"label": "打喷嚏", "hexcode": "1F927", "tags": ["喷嚏"], "group": 0},
              {"label": "挥手", "hexcode": "1F44B", "tags": ["手"], "group": 1},
              {"label": "红心", "hexcode": "2764-FE0F", "group": 0},
              {"label": "较浅肤色", "hexcode": "1F3FB", "group": 2},
              {"label": "", "hexcode": "1F680", "group": 5}
            ]
            """;

    static final String ICONS = """
            {
              "prefix": "tiny",
              "width": 32, "height": 32,
              "icons": {
                "tiger-icon": {"body": "<circle cx='16' cy='16' r='10' fill='#ff8800'/>"},
                "sneezing-face-base": {"body": "<rect x='4' y='4' width='24' height='24' fill='#00aa00'/>"},
                "red-heart": {"body": "<path d='M4 8h24v16H4z' fill='#dd0000'/>", "height": 33}
              },
              "aliases": {"sneezing-face": {"parent": "sneezing-face-base"}}
            }
            """;

    static final String CHARS = """
            {"1f42f": "tiger-icon", "2764": "red-heart"}
            """;

    record Paths(Path en, Path zh, Path twemojiDir, Path icons, Path chars) {
    }

    static Paths write(Path dir) throws IOException {
        Path en = write(dir.resolve("emojibase/en/data.json"), EN);
        Path zh = write(dir.resolve("emojibase/zh/data.json"), ZH);
        Path tw = dir.resolve("twemoji");
        write(tw.resolve("1f42f.svg"), "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 36 36'><circle cx='18' cy='18' r='14' fill='#FFCC4D'/></svg>");
        write(tw.resolve("1f927.svg"), "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 36 36'><rect x='6' y='6' width='24' height='24' fill='#5DADEC'/></svg>");
        write(tw.resolve("1f44b.svg"), "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 36 36'><path d='M8 8h20v20H8z' fill='#EF9645'/></svg>");
        write(tw.resolve("2764.svg"), "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 36 36'><path d='M1 1");
        Path icons = write(dir.resolve("iconify/icons.json"), ICONS);
        Path chars = write(dir.resolve("iconify/chars.json"), CHARS);
        return new Paths(en, zh, tw, icons, chars);
    }

    static EmojiInputs inputs(Paths p) {
        List<PictureSource> pictures = List.of(new SvgFolderSource("twemoji", p.twemojiDir()),
                IconifySet.read("noto", p.icons(), p.chars()));
        List<SourceCredit> credits = List.of(
                new SourceCredit(FAKE_PACKAGE, "captions", null, "MIT", "Copyright test captions", "https://example.org/captions"),
                new SourceCredit(FAKE_PACKAGE, "pictures", "twemoji", "CC-BY-4.0", "Copyright test pictures", "https://example.org/pictures"));
        return new EmojiInputs(p.en(), p.zh(), pictures, credits);
    }

    static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
