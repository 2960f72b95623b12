# Every external dependency of depinsim, found in one place. All come from Debian 12 packages
# (scripts/install-deps.sh installs them).
# Boost.Graph and Boost.Geometry are used header-only (Dijkstra, adjacency_list, R-tree).
find_package(Boost 1.74 REQUIRED)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(yaml-cpp 0.7 REQUIRED)
find_package(HDF5 1.10 REQUIRED COMPONENTS C CXX)
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(CLI11 2.1 REQUIRED)
# Optional: with MPI (Debian: openmpi-bin, libopenmpi-dev), `depinsim sweep` under mpirun shares
# a sweep's runs among the ranks; without it, it runs them on one machine's threads.
find_package(MPI COMPONENTS CXX)

# Random123 is header-only and ships no CMake package.
find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
add_library(depinsim_random123 INTERFACE)
target_include_directories(depinsim_random123 SYSTEM INTERFACE ${RANDOM123_INCLUDE_DIR})
add_library(Random123::Random123 ALIAS depinsim_random123)

# FindHDF5 gives variables; wrap them in one imported-style target.
add_library(depinsim_hdf5 INTERFACE)
target_include_directories(depinsim_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_link_libraries(depinsim_hdf5 INTERFACE ${HDF5_LIBRARIES} ${HDF5_CXX_LIBRARIES})
target_compile_definitions(depinsim_hdf5 INTERFACE ${HDF5_DEFINITIONS})
add_library(HDF5::cxx ALIAS depinsim_hdf5)

if(DEPINSIM_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)
  include(Catch)
endif()
