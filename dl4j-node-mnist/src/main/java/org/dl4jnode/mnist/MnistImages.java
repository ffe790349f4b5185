package org.dl4jnode.mnist;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * 28x28 grey images as the models read them: rows of 784 pixels in [0, 1] (0 black background,
 * 1 white ink), as {@code MnistDataSetIterator} gives them.
 */
public final class MnistImages {

    /** Image side in pixels. */
    public static final int SIDE = 28;
    /** Pixels per image. */
    public static final int PIXELS = SIDE * SIDE;
    private static final int IDX3_MAGIC = 0x00000803;

    private MnistImages() {
    }

    /** One labelled image read from a file: where it came from (a file, or a file and an index). */
    public record Image(String source, float[] pixels) {
    }

    /**
     * Reads the images in a file: a PNG (or any format ImageIO reads) of 28x28 pixels (grey values as
     * stored, colours averaged to grey), or an IDX3 file of 28x28 images (such as {@code t10k-images-idx3-ubyte}), of which at most
     * {@code limit} are read.
     *
     * @throws IOException with the file's name and what is wrong with it
     */
    public static List<Image> read(Path file, int limit) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        if (Files.size(file) >= 16) {
            try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
                if (in.readInt() == IDX3_MAGIC) {
                    return readIdx(file, in, limit);
                }
            }
        }
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException(file + ": neither an image format this JVM reads (PNG, JPEG, BMP, GIF) nor an IDX3 "
                    + "image file");
        }
        if (image.getWidth() != SIDE || image.getHeight() != SIDE) {
            throw new IOException(file + ": expected a " + SIDE + "x" + SIDE + " image, got " + image.getWidth() + "x"
                    + image.getHeight());
        }
        float[] pixels = new float[PIXELS];
        // grey images are read as stored: getRGB would pass them through a linear-to-sRGB conversion
        boolean grey = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        float greyMax = (1 << image.getColorModel().getComponentSize(0)) - 1;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                if (grey) {
                    pixels[y * SIDE + x] = image.getRaster().getSample(x, y, 0) / greyMax;
                } else {
                    int rgb = image.getRGB(x, y);
                    pixels[y * SIDE + x] = (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff)) / (3 * 255f);
                }
            }
        }
        return List.of(new Image(file.toString(), pixels));
    }

    /** The images after the magic number, which {@code in} has read. */
    private static List<Image> readIdx(Path file, DataInputStream in, int limit) throws IOException {
        int count = in.readInt();
        int rows = in.readInt();
        int cols = in.readInt();
        if (rows != SIDE || cols != SIDE) {
            throw new IOException(file + ": IDX images are " + rows + "x" + cols + ", expected " + SIDE + "x" + SIDE);
        }
        List<Image> images = new ArrayList<>();
        byte[] raw = new byte[PIXELS];
        for (int i = 0; i < Math.min(count, limit); i++) {
            in.readFully(raw);
            images.add(new Image(file + "[" + i + "]", scale(raw)));
        }
        return images;
    }

    private static float[] scale(byte[] raw) {
        float[] pixels = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            pixels[i] = (raw[i] & 0xff) / 255f;
        }
        return pixels;
    }

    /** The images as one {@code [n, 784]} float array. */
    public static INDArray batch(List<float[]> images) {
        INDArray out = Nd4j.create(DataType.FLOAT, images.size(), PIXELS);
        for (int i = 0; i < images.size(); i++) {
            if (images.get(i).length != PIXELS) {
                throw new IllegalArgumentException("image " + i + " has " + images.get(i).length + " pixels, expected "
                        + PIXELS + " (28x28)");
            }
            out.putRow(i, Nd4j.createFromArray(images.get(i)));
        }
        return out;
    }
}
