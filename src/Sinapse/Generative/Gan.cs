using Sinapse.Layers;

namespace Sinapse.Generative;

/// <summary>
/// A generative adversarial network (Goodfellow et al. 2014): a generator G mapping noise z to samples and a
/// discriminator D scoring how real a sample looks (a logit), held in one module so that they are saved, loaded and
/// checkpointed together (parameters "generator.*" and "discriminator.*"). Training is <see cref="GanTask"/>.
/// </summary>
/// <remarks>
/// Shape: Forward is the generator, z (N, latent) → samples (N, 1, 28, 28) in [−1, 1] for the MNIST models here. A
/// conditional GAN (<see cref="Classes"/> &gt; 0; Mirza and Osindero 2014) is told which class to draw: its generator
/// reads z with the class one-hot appended (<see cref="GeneratorInput"/>); its discriminator the image with one
/// constant plane per class, the class's plane set to 1 (a convolutional one), or the flattened image with the one-hot
/// appended (a dense one, <see cref="FlatConditioning"/>) (<see cref="DiscriminatorInput"/>). An InfoGAN
/// (<see cref="Codes"/> &gt; 0; Chen et al. 2016) is unconditional and sees no labels: its generator reads z with the
/// one-hot of a categorical code drawn at random, and its discriminator gives, beside its logit, logits for the code
/// (N, 1 + codes); both networks learn to make the code recoverable from the image, so each code value comes to stand
/// for one kind of sample (on MNIST, mostly one digit).
/// </remarks>
public sealed class Gan : Module<Tensor, Tensor>
{
    public Module<Tensor, Tensor> Generator { get; }
    public Module<Tensor, Tensor> Discriminator { get; }
    public int Latent { get; }

    /// <summary>Number of classes a conditional GAN draws; 0 for an unconditional one.</summary>
    public int Classes { get; }

    /// <summary>Values of an InfoGAN's categorical code (0: none). The discriminator's output has 1 + codes columns.</summary>
    public int Codes { get; }

    /// <summary>Width of the one-hot the generator reads beside z: the classes of a conditional GAN or an InfoGAN's codes.</summary>
    public int Categories => Classes + Codes;

    /// <summary>A conditional discriminator reads (N, pixels + classes) rows instead of images with class planes.</summary>
    public bool FlatConditioning { get; init; }

    public Gan(Module<Tensor, Tensor> generator, Module<Tensor, Tensor> discriminator, int latent, int classes = 0, int codes = 0)
    {
        if (latent < 1) throw new ArgumentOutOfRangeException(nameof(latent), latent, "Gan: the latent size must be positive.");
        if (classes < 0 || codes < 0) throw new ArgumentOutOfRangeException(nameof(classes), (classes, codes), "Gan: the numbers of classes and codes cannot be negative.");
        if (classes > 0 && codes > 0) throw new ArgumentException($"Gan: a GAN is conditional ({classes} classes) or has a categorical code ({codes}), not both.");
        Generator = RegisterModule("generator", generator);
        Discriminator = RegisterModule("discriminator", discriminator);
        Latent = latent; Classes = classes; Codes = codes;
    }

    public override Tensor Forward(Tensor z) => Generator.Call(z);

    /// <summary>
    /// z (N, latent) with the one-hot of <paramref name="labels"/> (N: classes, or an InfoGAN's codes) appended:
    /// (N, latent + <see cref="Categories"/>); z itself when there are none.
    /// </summary>
    public Tensor GeneratorInput(Tensor z, Tensor labels) => Categories == 0 ? z : Tensor.Concat([z, Tensor.OneHot(labels, Categories)], 1);

    /// <summary>Images (N, C, H, W) with a plane per class appended, 1 on each image's class: (N, C + classes, H, W); the images themselves when unconditional.</summary>
    public Tensor DiscriminatorInput(Tensor images, Tensor labels)
    {
        if (Classes == 0) return images;
        if (FlatConditioning) return Tensor.Concat([images.Reshape(images.Shape[0], -1), Tensor.OneHot(labels, Classes)], 1);
        int n = images.Shape[0], h = images.Shape[2], w = images.Shape[3];
        var planes = Tensor.Zeros(n, Classes, h, w);
        var p = planes.AsSpan();
        var y = labels.NoGraph().Contiguous().AsReadOnlySpan();
        for (int i = 0; i < n; i++)
        {
            int c = (int)y[i];
            if ((uint)c >= (uint)Classes) throw new ArgumentException($"Gan: label {c} of sample {i} is not one of the {Classes} classes.");
            p.Slice((i * Classes + c) * h * w, h * w).Fill(1f);
        }
        return Tensor.Concat([images, planes], 1);
    }

    /// <summary>
    /// <paramref name="count"/> samples from fresh noise, in evaluation mode and without gradients. A conditional GAN
    /// draws <paramref name="labels"/> (by default the classes in turn: 0, 1, …, so every class gets its share); an
    /// InfoGAN draws its codes at random unless <paramref name="labels"/> gives them.
    /// With a <paramref name="truncation"/> t, every value of z beyond ±t is drawn again (the truncation trick of
    /// Brock et al. 2019): samples from nearer the middle of the noise, more typical and less varied.
    /// </summary>
    public Tensor Sample(int count, Sinapse.Generator noise, int[]? labels = null, float? truncation = null)
    {
        bool was = Training;
        Eval();
        Tensor x;
        using (Autograd.NoGrad())
        {
            var z = Noise(count, noise, truncation);
            if (Categories > 0)
            {
                // A conditional GAN draws its classes in turn; an InfoGAN's codes come from their uniform prior.
                var y = labels ?? Enumerable.Range(0, count).Select(i => Classes > 0 ? i % Classes : noise.NextInt(Codes)).ToArray();
                if (y.Length != count) throw new ArgumentException($"Gan.Sample: {y.Length} labels for {count} samples.");
                z = GeneratorInput(z, Tensor.FromArray(y.Select(v => (float)v).ToArray(), count));
            }
            x = Generator.Call(z);
        }
        Train(was);
        return x;
    }

    /// <summary>z of <paramref name="count"/> rows: standard normal, or truncated to ±<paramref name="truncation"/> by drawing again.</summary>
    public Tensor Noise(int count, Sinapse.Generator noise, float? truncation = null)
    {
        if (truncation is not float t) return Tensor.Randn([count, Latent], noise);
        if (!(t > 0)) throw new ArgumentOutOfRangeException(nameof(truncation), truncation, "Gan: the truncation must be positive.");
        var z = new float[count * Latent];
        for (int i = 0; i < z.Length; i++)
        {
            float v;
            do v = noise.NextNormal(); while (MathF.Abs(v) > t);
            z[i] = v;
        }
        return Tensor.FromArray(z, count, Latent);
    }

    /// <summary>The MLP GAN: G z(64) → 256 → 512 → 784 (LeakyReLU 0.2, tanh), D 784 → 512 → 256 → 1 (LeakyReLU 0.2).</summary>
    /// <param name="g">Seeds the weights.</param>
    /// <param name="latent">Size of z.</param>
    /// <param name="classes">For a conditional GAN, the number of classes (both networks read the one-hot beside z or
    /// the pixels); 0 for an unconditional one.</param>
    public static Gan Mlp(Sinapse.Generator g, int latent = 64, int classes = 0) => new(
        new Sequential(new Linear(latent + classes, 256, gen: g), new LeakyReLU(0.2f), new Linear(256, 512, gen: g), new LeakyReLU(0.2f),
            new Linear(512, 784, gen: g), new Tanh(), new Unflatten(1, 1, 28, 28)),
        new Sequential(new Flatten(), new Linear(784 + classes, 512, gen: g), new LeakyReLU(0.2f), new Linear(512, 256, gen: g), new LeakyReLU(0.2f),
            new Linear(256, 1, gen: g)),
        latent, classes) { FlatConditioning = true };

    /// <summary>
    /// DCGAN (Radford et al. 2016) for 28×28: G z(100) → 128×7×7 → transposed convolutions to 64×14×14 and 1×28×28,
    /// batch norm and ReLU between, tanh out; D two stride-2 convolutions (64, 128 channels) and a 3×3 one (128) with
    /// batch norm on the last two, LeakyReLU 0.2 throughout, then a dense layer of 256 and the logit.
    /// </summary>
    /// <remarks>
    /// The discriminator is deeper than the usual two-convolution one for MNIST: its third convolution and hidden
    /// dense layer let it judge a digit's whole shape, and the generator, taught by it, draws digits a classifier reads
    /// with more confidence (after 3,000 steps an Inception-style score of 7.2 against 6.4, for 1.8 times the step's
    /// time). A wider generator, a wider second convolution or a 1×1 third one did not help.
    /// </remarks>
    /// <param name="g">Seeds the weights.</param>
    /// <param name="latent">Size of z.</param>
    /// <param name="classes">For a conditional DCGAN, the number of classes (the generator reads latent + classes
    /// values, the discriminator 1 + classes planes); 0 for an unconditional one.</param>
    /// <param name="codes">For an InfoGAN, the values of its categorical code (the generator reads latent + codes
    /// values, the discriminator gives 1 + codes logits); 0 for none.</param>
    public static Gan Dcgan(Sinapse.Generator g, int latent = 100, int classes = 0, int codes = 0) => new(
        new Sequential(new Linear(latent + classes + codes, 128 * 7 * 7, gen: g), new Unflatten(1, 128, 7, 7), new BatchNorm2d(128), new ReLU(),
            new ConvTranspose2d(128, 64, 4, 2, 1, gen: g), new BatchNorm2d(64), new ReLU(),
            new ConvTranspose2d(64, 1, 4, 2, 1, gen: g), new Tanh()),
        new Sequential(new Conv2d(1 + classes, 64, 4, 2, 1, gen: g), new LeakyReLU(0.2f),
            new Conv2d(64, 128, 4, 2, 1, gen: g), new BatchNorm2d(128), new LeakyReLU(0.2f),
            new Conv2d(128, 128, 3, 1, 1, gen: g), new BatchNorm2d(128), new LeakyReLU(0.2f),
            new Flatten(), new Linear(128 * 7 * 7, 256, gen: g), new LeakyReLU(0.2f), new Linear(256, 1 + codes, gen: g)),
        latent, classes, codes);
}
