using System.Buffers.Binary;
using System.Text;

namespace Sinapse.Bench;

/// <summary>
/// Marks one symbol-version requirement of an ELF64 little-endian shared library weak (VER_FLG_WEAK), so that the
/// dynamic loader accepts the library when the providing library lacks that version.
/// </summary>
/// <remarks>
/// Why: TorchSharp 0.107.0's libLibTorchSharp.so was built with GCC 13 and requires GLIBCXX_3.4.32; Debian 12's
/// libstdc++ stops at 3.4.30, so loading fails with "version `GLIBCXX_3.4.32' not found". The only symbol behind
/// that version is std::ios_base_library_init(), which nothing calls, so a weak requirement is harmless. This is the
/// C# twin of shared/tools/relax_glibcxx.py, so that the bench needs nothing but the .NET SDK. Only the copy in the
/// build output is touched, and it is replaced through a temporary file and a rename: if the build hard-linked it to
/// the NuGet cache, the cache stays pristine, and a process that has it mapped keeps its old inode.
/// </remarks>
public static class ElfVersionRelax
{
    public const string TorchSharpLibrary = "libLibTorchSharp.so";
    public const string Glibcxx3432 = "GLIBCXX_3.4.32";
    const uint ShtGnuVerneed = 0x6ffffffe; // section of Verneed records (what versions this file needs from whom)
    const ushort VerFlgWeak = 0x2;         // "a missing version is not fatal"

    public enum Outcome { Patched, AlreadyWeak, NotRequired, NotElf64LittleEndian }

    /// <summary>Patches every libLibTorchSharp.so below <paramref name="root"/>; reports each change on stderr.</summary>
    /// <remarks>Must run before any TorchSharp type whose static initialiser loads the native library is touched.</remarks>
    public static void RelaxTorchSharp(string root)
    {
        foreach (var path in Directory.EnumerateFiles(root, TorchSharpLibrary, SearchOption.AllDirectories))
        {
            try
            {
                if (MakeWeak(path, Glibcxx3432) == Outcome.Patched)
                    Console.Error.WriteLine($"note: marked {Glibcxx3432} weak in {path}");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A read-only install may still load (a newer libstdc++ has the version): warn, do not fail here.
                Console.Error.WriteLine($"warning: could not patch {path}: {ex.Message}");
            }
        }
    }

    /// <summary>Marks the requirement on <paramref name="version"/> weak in the file at <paramref name="path"/>. Idempotent.</summary>
    public static Outcome MakeWeak(string path, string version)
    {
        var image = File.ReadAllBytes(path);
        var outcome = MakeWeak(image, version);
        if (outcome != Outcome.Patched) return outcome;
        var tmp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllBytes(tmp, image);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, File.GetUnixFileMode(path));
            File.Move(tmp, path, overwrite: true); // rename(2): atomic, and breaks any hard link to the NuGet cache
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
        return outcome;
    }

    /// <summary>The same edit on an in-memory image; returns whether anything changed.</summary>
    public static Outcome MakeWeak(byte[] image, string version)
    {
        ReadOnlySpan<byte> d = image;
        // e_ident: magic, EI_CLASS = 2 (64-bit), EI_DATA = 1 (little-endian).
        if (d.Length < 0x40 || !d[..4].SequenceEqual("\u007fELF"u8) || d[4] != 2 || d[5] != 1)
            return Outcome.NotElf64LittleEndian;
        var want = Encoding.ASCII.GetBytes(version);
        ulong shoff = U64(d, 0x28);
        int shentsize = U16(d, 0x3A), shnum = U16(d, 0x3C);
        if (shnum == 0 && shoff != 0) shnum = checked((int)U64(d, (int)shoff + 32)); // extended numbering: count in section 0's sh_size
        bool sawWeak = false;
        int changed = 0;
        for (int s = 0; s < shnum; s++)
        {
            int sh = checked((int)shoff + s * shentsize);
            if (U32(d, sh + 4) != ShtGnuVerneed) continue;
            int off = checked((int)U64(d, sh + 24));
            int link = (int)U32(d, sh + 40);   // sh_link: the string table holding the names
            uint count = U32(d, sh + 44);      // sh_info: number of Verneed records
            int strtab = checked((int)U64(d, checked((int)shoff + link * shentsize) + 24));
            int vn = off;
            for (uint i = 0; i < count; i++)
            {
                // Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
                int cnt = U16(d, vn + 2);
                int va = vn + (int)U32(d, vn + 8);
                for (int j = 0; j < cnt; j++)
                {
                    // Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                    int nameOff = strtab + (int)U32(d, va + 8);
                    int len = d[nameOff..].IndexOf((byte)0);
                    if (len >= 0 && d.Slice(nameOff, len).SequenceEqual(want))
                    {
                        ushort flags = U16(d, va + 4);
                        if ((flags & VerFlgWeak) != 0) sawWeak = true;
                        else { BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(va + 4), (ushort)(flags | VerFlgWeak)); changed++; }
                    }
                    uint next = U32(d, va + 12);
                    if (next == 0) break;
                    va += (int)next;
                }
                uint vnNext = U32(d, vn + 12);
                if (vnNext == 0) break;
                vn += (int)vnNext;
            }
        }
        return changed > 0 ? Outcome.Patched : sawWeak ? Outcome.AlreadyWeak : Outcome.NotRequired;
    }

    static ushort U16(ReadOnlySpan<byte> d, int at) => BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(at, 2));
    static uint U32(ReadOnlySpan<byte> d, int at) => BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(at, 4));
    static ulong U64(ReadOnlySpan<byte> d, int at) => BinaryPrimitives.ReadUInt64LittleEndian(d.Slice(at, 8));
}
