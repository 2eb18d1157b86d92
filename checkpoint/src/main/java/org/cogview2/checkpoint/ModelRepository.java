package org.cogview2.checkpoint;

import org.cogview2.api.ModelNotFoundException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one entry point to the released model files, laid out as the official tools keep them:
 * <pre>
 * &lt;satHome&gt;/coglm/            SAT model folder (latest, model_config.json, &lt;tag&gt;/mp_rank_00_model_states.pt)
 * &lt;satHome&gt;/cogview2-dsr/     SAT model folder
 * &lt;satHome&gt;/cogview2-itersr/  SAT model folder
 * &lt;icetkDir&gt;/ice_image.pt      icetk's image tokenizer ({'module': HVQVAE state dict})
 * &lt;icetkDir&gt;/ice_text.model    icetk's SentencePiece text model
 * </pre>
 * {@code satHome} is SAT's {@code $SAT_HOME} (default {@code ~/.sat_models}); {@code icetkDir} is icetk's model
 * folder (default {@code ~/.icetk_models}). {@link #discover} also accepts one root that holds both (see there).
 *
 * <p>The requested components are checked when the repository is made: if anything is missing, one
 * {@link ModelNotFoundException} lists every missing item and every place looked at. A released
 * {@code <name>.zip} that was not extracted is pointed out. Files are only located here; they are read by
 * {@link SatModelFolder}, {@link TorchCheckpoint} and the tokenizer.
 */
public final class ModelRepository {

    /** The model files CogView2 uses. */
    public enum Component {
        /** {@code coglm}: the stage-1 text-to-image transformer (its config is required). */
        COGLM("coglm"),
        /** {@code cogview2-dsr}: direct super-resolution. */
        DSR("cogview2-dsr"),
        /** {@code cogview2-itersr}: iterative super-resolution. */
        ITERSR("cogview2-itersr"),
        /** {@code ice_image.pt}: the image tokenizer. */
        ICE_IMAGE("ice_image.pt"),
        /** {@code ice_text.model}: the text tokenizer. */
        ICE_TEXT("ice_text.model");

        private final String fileName;

        Component(String fileName) {
            this.fileName = fileName;
        }

        /** The folder or file name in the layout. */
        public String fileName() {
            return fileName;
        }

        boolean isSat() {
            return this == COGLM || this == DSR || this == ITERSR;
        }
    }

    private final Path satHome;
    private final Path icetkDir;
    private final List<Path> satHomesTried;
    private final List<Path> icetkDirsTried;

    private ModelRepository(Path satHome, Path icetkDir, List<Path> satHomesTried, List<Path> icetkDirsTried) {
        this.satHome = satHome;
        this.icetkDir = icetkDir;
        this.satHomesTried = List.copyOf(satHomesTried);
        this.icetkDirsTried = List.copyOf(icetkDirsTried);
    }

    /**
     * A repository over a SAT home and an icetk folder, checking that every {@link Component} is present.
     *
     * @throws ModelNotFoundException listing everything missing and where it was looked for
     */
    public static ModelRepository at(Path satHome, Path icetkDir) {
        return at(satHome, icetkDir, EnumSet.allOf(Component.class));
    }

    /** Like {@link #at(Path, Path)} but only checks {@code needed}; other components are checked when asked for. */
    public static ModelRepository at(Path satHome, Path icetkDir, Set<Component> needed) {
        ModelRepository r = new ModelRepository(satHome, icetkDir, List.of(satHome), List.of(icetkDir));
        r.require(needed);
        return r;
    }

    /**
     * Finds the folders under one root, checking every component. The SAT home is the first of {@code root},
     * {@code root/sat}, {@code root/.sat_models}, {@code root/sat_models} that holds a {@code coglm},
     * {@code cogview2-dsr} or {@code cogview2-itersr} folder; the icetk folder is the first of
     * {@code root/icetk}, {@code root/.icetk_models}, {@code root/icetk_models}, {@code <satHome>/icetk} that holds
     * {@code ice_image.pt} or {@code ice_text.model}. (The golden test models are laid out as
     * {@code models/sat/...} and {@code models/icetk/...}.)
     */
    public static ModelRepository discover(Path root) {
        return discover(root, EnumSet.allOf(Component.class));
    }

    /** Like {@link #discover(Path)} but only checks {@code needed}. */
    public static ModelRepository discover(Path root, Set<Component> needed) {
        List<Path> satCandidates = List.of(root, root.resolve("sat"), root.resolve(".sat_models"),
                root.resolve("sat_models"));
        Path sat = firstHolding(satCandidates, "coglm", "cogview2-dsr", "cogview2-itersr");
        List<Path> iceCandidates = new ArrayList<>(List.of(root.resolve("icetk"), root.resolve(".icetk_models"),
                root.resolve("icetk_models")));
        Path satForIce = sat != null ? sat : root;
        if (!iceCandidates.contains(satForIce.resolve("icetk"))) {
            iceCandidates.add(satForIce.resolve("icetk"));
        }
        Path ice = firstHolding(iceCandidates, Component.ICE_IMAGE.fileName, Component.ICE_TEXT.fileName);
        ModelRepository r = new ModelRepository(sat != null ? sat : root, ice != null ? ice : iceCandidates.getFirst(),
                sat != null ? List.of(sat) : satCandidates, ice != null ? List.of(ice) : iceCandidates);
        r.require(needed);
        return r;
    }

    /**
     * The official defaults: {@code $SAT_HOME} (else {@code ~/.sat_models}) and {@code ~/.icetk_models}, checking
     * every component.
     */
    public static ModelRepository fromEnvironment() {
        return fromEnvironment(System.getenv(), Paths.get(System.getProperty("user.home")));
    }

    static ModelRepository fromEnvironment(Map<String, String> env, Path userHome) {
        String satEnv = env.get("SAT_HOME");
        Path sat = satEnv != null && !satEnv.isBlank() ? Paths.get(satEnv) : userHome.resolve(".sat_models");
        return at(sat, userHome.resolve(".icetk_models"));
    }

    private static Path firstHolding(List<Path> candidates, String... names) {
        for (Path c : candidates) {
            for (String n : names) {
                if (Files.exists(c.resolve(n))) {
                    return c;
                }
            }
        }
        return null;
    }

    /** Checks the components, throwing one exception for everything missing. */
    public void require(Set<Component> needed) {
        List<String> missing = new ArrayList<>();
        for (Component c : needed) {
            probe(c, missing);
        }
        if (!missing.isEmpty()) {
            throw notFound(missing);
        }
    }

    private SatModelFolder probe(Component c, List<String> missing) {
        if (c.isSat()) {
            List<String> m = new ArrayList<>();
            SatModelFolder f = SatModelFolder.probe(satHome.resolve(c.fileName), c == Component.COGLM, m);
            for (String s : m) {
                missing.add(c.fileName + ": " + s);
            }
            return f;
        }
        Path p = icetkDir.resolve(c.fileName);
        if (!Files.isRegularFile(p)) {
            missing.add(c.fileName + ": " + p + " does not exist");
        }
        return null;
    }

    private ModelNotFoundException notFound(List<String> missing) {
        Set<String> lines = new LinkedHashSet<>(missing);
        return new ModelNotFoundException("model files are missing:\n  - " + String.join("\n  - ", lines)
                + "\nLooked for the SAT model home (folders coglm, cogview2-dsr, cogview2-itersr) in: "
                + satHomesTried + "\nLooked for the icetk folder (ice_image.pt, ice_text.model) in: "
                + icetkDirsTried);
    }

    private SatModelFolder sat(Component c) {
        List<String> missing = new ArrayList<>();
        SatModelFolder f = probe(c, missing);
        if (f == null) {
            throw notFound(missing);
        }
        return f;
    }

    private Path file(Component c) {
        List<String> missing = new ArrayList<>();
        probe(c, missing);
        if (!missing.isEmpty()) {
            throw notFound(missing);
        }
        return icetkDir.resolve(c.fileName);
    }

    /** The SAT model home. */
    public Path satHome() {
        return satHome;
    }

    /** The icetk model folder. */
    public Path icetkDirectory() {
        return icetkDir;
    }

    /** The places searched (one each when given explicitly), for diagnostics. */
    public List<Path> searchedLocations() {
        List<Path> all = new ArrayList<>(satHomesTried);
        all.addAll(icetkDirsTried);
        return Collections.unmodifiableList(all);
    }

    /** {@code <satHome>/coglm}. */
    public SatModelFolder coglm() {
        return sat(Component.COGLM);
    }

    /** {@code <satHome>/cogview2-dsr}. */
    public SatModelFolder dsr() {
        return sat(Component.DSR);
    }

    /** {@code <satHome>/cogview2-itersr}. */
    public SatModelFolder itersr() {
        return sat(Component.ITERSR);
    }

    /** Any SAT model folder under the home, e.g. {@code model("coglm-fp32")}. */
    public SatModelFolder model(String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals("..") || name.equals(".")) {
            throw new IllegalArgumentException("not a folder name: '" + name + "'");
        }
        return SatModelFolder.open(satHome.resolve(name));
    }

    /** {@code <icetkDir>/ice_image.pt}. */
    public Path iceImage() {
        return file(Component.ICE_IMAGE);
    }

    /** {@code <icetkDir>/ice_text.model}. */
    public Path iceText() {
        return file(Component.ICE_TEXT);
    }

    @Override
    public String toString() {
        return "ModelRepository[SAT home " + satHome + ", icetk " + icetkDir + "]";
    }
}
