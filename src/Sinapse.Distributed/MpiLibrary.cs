using System.Runtime.InteropServices;

namespace Sinapse.Distributed;

/// <summary>
/// The few MPI functions and handles data-parallel training calls, bound at run time to Open MPI's libmpi (Debian's
/// openmpi-bin and libopenmpi-dev). Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, …) are addresses of
/// exported objects, so they are looked up like the functions. MPI.NET 1.4.0 binds to Microsoft MPI's msmpi.dll,
/// whose handles are integers, and cannot load Open MPI; hence this binding.
/// </summary>
internal static unsafe class MpiLibrary
{
    public const int ThreadMultiple = 3, Success = 0;
    public static readonly nint InPlace = 1; // MPI_IN_PLACE in Open MPI

    public static nint CommWorld, FloatType, DoubleType, ByteType, SumOp;
    public static delegate* unmanaged<int*, nint*, int, int*, int> InitThread;
    public static delegate* unmanaged<int*, int> Initialized, Finalized;
    public static delegate* unmanaged<int> FinalizeMpi;
    public static delegate* unmanaged<nint, int*, int> CommRank, CommSize;
    public static delegate* unmanaged<nint, nint, int, nint, nint, nint, nint*, int> Iallreduce;
    public static delegate* unmanaged<nint, int, nint, int, nint, nint*, int> Ibcast;
    public static delegate* unmanaged<nint, nint*, int> Ibarrier;
    public static delegate* unmanaged<nint*, int*, nint, int> Test;
    public static delegate* unmanaged<nint, int, int> Abort;
    public static delegate* unmanaged<int, byte*, int*, int> ErrorString;

    static nint handle;
    static string? loadError;

    /// <summary>The names tried, newest ABI first.</summary>
    static readonly string[] Names = ["libmpi.so.40", "libmpi.so"];

    /// <summary>Loads libmpi once; null on success, else why it could not be loaded.</summary>
    public static string? Load()
    {
        if (handle != 0 || loadError != null) return loadError;
        foreach (var name in Names)
            if (NativeLibrary.TryLoad(name, out handle)) break;
        if (handle == 0)
            return loadError = $"Open MPI's library ({string.Join(" or ", Names)}) was not found; install Debian's openmpi-bin and libopenmpi-dev (scripts/setup-mpi.sh in the repository) and start the ranks with mpirun.";
        try
        {
            CommWorld = Export("ompi_mpi_comm_world"); FloatType = Export("ompi_mpi_float"); DoubleType = Export("ompi_mpi_double");
            ByteType = Export("ompi_mpi_byte"); SumOp = Export("ompi_mpi_op_sum");
            InitThread = (delegate* unmanaged<int*, nint*, int, int*, int>)Export("MPI_Init_thread");
            Initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
            Finalized = (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
            FinalizeMpi = (delegate* unmanaged<int>)Export("MPI_Finalize");
            CommRank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
            CommSize = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
            Iallreduce = (delegate* unmanaged<nint, nint, int, nint, nint, nint, nint*, int>)Export("MPI_Iallreduce");
            Ibcast = (delegate* unmanaged<nint, int, nint, int, nint, nint*, int>)Export("MPI_Ibcast");
            Ibarrier = (delegate* unmanaged<nint, nint*, int>)Export("MPI_Ibarrier");
            Test = (delegate* unmanaged<nint*, int*, nint, int>)Export("MPI_Test");
            Abort = (delegate* unmanaged<nint, int, int>)Export("MPI_Abort");
            ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Export("MPI_Error_string");
        }
        catch (EntryPointNotFoundException e)
        {
            handle = 0;
            return loadError = $"The MPI library found is not Open MPI 4 or later ({e.Message}).";
        }
        return null;
    }

    static nint Export(string name) => NativeLibrary.GetExport(handle, name);

    /// <summary>Throws naming <paramref name="call"/> and MPI's own description of <paramref name="code"/> unless it is MPI_SUCCESS.</summary>
    public static void Check(int code, string call)
    {
        if (code == Success) return;
        var text = stackalloc byte[512];
        int length = 0;
        string what = ErrorString(code, text, &length) == Success ? Marshal.PtrToStringUTF8((nint)text, length) : $"error {code}";
        throw new MpiException($"{call} failed: {what}.");
    }
}

/// <summary>An MPI call failed; the message names the call and MPI's reason.</summary>
public sealed class MpiException(string message) : Exception(message);
