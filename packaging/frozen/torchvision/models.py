"""``alexnet``: torchvision's AlexNet feature layers, the only model the ``lpips`` package needs.

Same layer order, shapes and indices as ``torchvision.models.alexnet().features``
(so the ``lpips`` package's slicing and the real weights' names line up).
"""

from __future__ import annotations

from torch import nn


class AlexNet(nn.Module):
    """The convolutional part of torchvision's AlexNet (the classifier is never used)."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )


def alexnet(pretrained: bool = False, weights: object = None, **_kwargs: object) -> AlexNet:
    """AlexNet features with random weights (pretrained weights are never downloaded)."""
    if pretrained or weights is not None:
        raise RuntimeError("the frozen Denoscope build never downloads torchvision weights")
    return AlexNet()


def _unavailable(*_args: object, **_kwargs: object) -> nn.Module:
    raise RuntimeError("only AlexNet is available in the frozen Denoscope build")


squeezenet1_1 = vgg16 = resnet18 = resnet34 = resnet50 = resnet101 = resnet152 = _unavailable
