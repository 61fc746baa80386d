using Sinapse.Layers;

namespace Sinapse.Generative;

/// <summary>
/// A generative adversarial network (Goodfellow et al. 2014): a generator G mapping noise z to samples and a
/// discriminator D scoring how real a sample looks (a logit), held in one module so that they are saved, loaded and
/// checkpointed together (parameters "generator.*" and "discriminator.*"). Training is <see cref="GanTask"/>.
/// </summary>
/// <remarks>Shape: Forward is the generator, z (N, latent) → samples (N, 1, 28, 28) in [−1, 1] for the MNIST models here.</remarks>
public sealed class Gan : Module<Tensor, Tensor>
{
    public Module<Tensor, Tensor> Generator { get; }
    public Module<Tensor, Tensor> Discriminator { get; }
    public int Latent { get; }

    public Gan(Module<Tensor, Tensor> generator, Module<Tensor, Tensor> discriminator, int latent)
    {
        if (latent < 1) throw new ArgumentOutOfRangeException(nameof(latent), latent, "Gan: the latent size must be positive.");
        Generator = RegisterModule("generator", generator);
        Discriminator = RegisterModule("discriminator", discriminator);
        Latent = latent;
    }

    public override Tensor Forward(Tensor z) => Generator.Call(z);

    /// <summary><paramref name="count"/> samples from fresh noise, in evaluation mode and without gradients.</summary>
    public Tensor Sample(int count, Sinapse.Generator noise)
    {
        bool was = Training;
        Eval();
        Tensor x;
        using (Autograd.NoGrad()) x = Generator.Call(Tensor.Randn([count, Latent], noise));
        Train(was);
        return x;
    }

    /// <summary>The MLP GAN: G z(64) → 256 → 512 → 784 (LeakyReLU 0.2, tanh), D 784 → 512 → 256 → 1 (LeakyReLU 0.2).</summary>
    public static Gan Mlp(Sinapse.Generator g, int latent = 64) => new(
        new Sequential(new Linear(latent, 256, gen: g), new LeakyReLU(0.2f), new Linear(256, 512, gen: g), new LeakyReLU(0.2f),
            new Linear(512, 784, gen: g), new Tanh(), new Unflatten(1, 1, 28, 28)),
        new Sequential(new Flatten(), new Linear(784, 512, gen: g), new LeakyReLU(0.2f), new Linear(512, 256, gen: g), new LeakyReLU(0.2f),
            new Linear(256, 1, gen: g)),
        latent);

    /// <summary>
    /// DCGAN (Radford et al. 2016) for 28×28: G z(100) → 128×7×7 → transposed convolutions to 64×14×14 and 1×28×28,
    /// batch norm and ReLU between, tanh out; D two stride-2 convolutions (64, 128 channels, batch norm on the second,
    /// LeakyReLU 0.2) and a dense logit.
    /// </summary>
    public static Gan Dcgan(Sinapse.Generator g, int latent = 100) => new(
        new Sequential(new Linear(latent, 128 * 7 * 7, gen: g), new Unflatten(1, 128, 7, 7), new BatchNorm2d(128), new ReLU(),
            new ConvTranspose2d(128, 64, 4, 2, 1, gen: g), new BatchNorm2d(64), new ReLU(),
            new ConvTranspose2d(64, 1, 4, 2, 1, gen: g), new Tanh()),
        new Sequential(new Conv2d(1, 64, 4, 2, 1, gen: g), new LeakyReLU(0.2f),
            new Conv2d(64, 128, 4, 2, 1, gen: g), new BatchNorm2d(128), new LeakyReLU(0.2f),
            new Flatten(), new Linear(128 * 7 * 7, 1, gen: g)),
        latent);
}
